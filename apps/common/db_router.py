class PrimaryReplicaRouter:
    """Reads go to the replica, writes to the primary (active only with DATABASE_REPLICA_URL).

    Code that must read its own writes (services under select_for_update, sequences) runs inside
    transaction.atomic() on the primary, which Django routes by the connection in use.
    """

    def db_for_read(self, model, **hints):  # type: ignore[no-untyped-def]
        return "replica"

    def db_for_write(self, model, **hints):  # type: ignore[no-untyped-def]
        return "default"

    def allow_relation(self, obj1, obj2, **hints):  # type: ignore[no-untyped-def]
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):  # type: ignore[no-untyped-def]
        return db == "default"

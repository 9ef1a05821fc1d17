from django.db import connections


class PrimaryReplicaRouter:
    """Reads go to the replica, writes to the primary (active only with DATABASE_REPLICA_URL).

    Code that must read its own writes (services under select_for_update, sequences) runs inside
    transaction.atomic() on the primary; while such a transaction is open, reads stay there too.
    Reads in a request right after a committed write may still hit a lagging replica.
    """

    def db_for_read(self, model, **hints):  # type: ignore[no-untyped-def]
        # Inside a transaction on the primary (services, sequences) reads must see its writes.
        return "default" if connections["default"].in_atomic_block else "replica"

    def db_for_write(self, model, **hints):  # type: ignore[no-untyped-def]
        return "default"

    def allow_relation(self, obj1, obj2, **hints):  # type: ignore[no-untyped-def]
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):  # type: ignore[no-untyped-def]
        return db == "default"

#!/bin/sh
# First start of the `db` service only (docker-entrypoint-initdb.d): the application's own role and
# database. The superuser `postgres` stays for Zitadel's init (it creates its own database and role)
# and for operators.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v app_password="$WORKMATE_DB_PASSWORD" <<'SQL'
CREATE ROLE workmate LOGIN PASSWORD :'app_password';
CREATE DATABASE workmate OWNER workmate ENCODING 'UTF8' TEMPLATE template0;
SQL

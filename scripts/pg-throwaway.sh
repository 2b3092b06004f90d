# Sourced by scripts/test.sh and bench scripts: starts a throwaway PostgreSQL 15 cluster on a free
# loopback port in a temporary folder, exports MOTCUA_TEST_PG_URL, and stops and deletes it when
# the calling shell exits (also on failure). PostgreSQL will not run as root, so as root the
# cluster runs as the 'postgres' system user that the Debian package creates.
pg_bin=/usr/lib/postgresql/15/bin
pg_dir=$(mktemp -d /tmp/motcua-pg.XXXXXX)
pg_port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pg_as=()
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$pg_dir"
  pg_as=(runuser -u postgres --)
fi
pg_stop() {
  "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
trap pg_stop EXIT
"${pg_as[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 \
  --locale=C.UTF-8 >"$pg_dir/initdb.log" 2>&1 || { cat "$pg_dir/initdb.log"; exit 1; }
"${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 start \
  -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir -c max_connections=300 -c shared_buffers=256MB" \
  >/dev/null || { cat "$pg_dir/server.log"; exit 1; }
export MOTCUA_TEST_PG_URL="postgresql://postgres@127.0.0.1:$pg_port/postgres"
echo "pg-throwaway: PostgreSQL 15 on 127.0.0.1:$pg_port ($pg_dir)" >&2

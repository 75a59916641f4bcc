#!/bin/sh
# Streetinfo developer entry point.
#   ./dev.sh start   install into .venv, migrate, load the demo data, serve http://127.0.0.1:8000
#                    with the task worker beside it (print batches, imports); Ctrl+C stops both
#   ./dev.sh test    install the test dependencies into .venv and run the whole suite
# Needs only Python 3.12+ (found automatically, including pyenv installs); no database server.
set -eu

cd "$(dirname "$0")"
VENV="${VENV:-.venv}"

python_ok() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

find_python() {
    for candidate in "${PYTHON:-}" python3.13 python3.12 python3.14 python3 python; do
        [ -n "$candidate" ] || continue
        path=$(command -v "$candidate" 2>/dev/null) || continue
        if python_ok "$path"; then echo "$path"; return 0; fi
    done
    roots="${PYENV_ROOT:-$HOME/.pyenv}"
    if command -v pyenv >/dev/null 2>&1; then roots="$(pyenv root) $roots"; fi
    for root in $roots; do
        for path in $(ls -d "$root"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -r); do
            if python_ok "$path"; then echo "$path"; return 0; fi
        done
    done
    return 1
}

ensure_venv() {
    extras="$1"
    if [ ! -x "$VENV/bin/python" ] || ! python_ok "$VENV/bin/python"; then
        if ! py=$(find_python); then
            echo "Streetinfo needs Python 3.12 or newer (Django 6), and none was found." >&2
            echo "Install one (e.g. 'pyenv install 3.13' or your system's python3.13 package)," >&2
            echo "or point to it: PYTHON=/path/to/python3.13 ./dev.sh $CMD" >&2
            exit 1
        fi
        echo "Using $py ($("$py" -c 'import sys; print(sys.version.split()[0])'))"
        rm -rf "$VENV"
        "$py" -m venv "$VENV"
    fi
    stamp="$VENV/.installed-$extras"
    if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
        "$VENV/bin/python" -m pip install --quiet --upgrade pip
        "$VENV/bin/python" -m pip install --quiet ".$extras"
        touch "$stamp"
    fi
}

CMD="${1:-}"
case "$CMD" in
    start)
        ensure_venv ""
        "$VENV/bin/python" manage.py migrate --noinput
        "$VENV/bin/python" manage.py load_demo
        echo
        echo "Streetinfo is starting at http://127.0.0.1:8000  (admin: http://127.0.0.1:8000/admin/,"
        echo "demo editor 'demo' / 'demo-streetinfo'; stop with Ctrl+C)"
        # The task worker (print batches, imports, static mode, photo renditions: see
        # docs/operations.md), every queue, reloading on code changes like the server. Ctrl+C
        # stops the server; leaving this script then stops the worker.
        "$VENV/bin/python" manage.py db_worker --queue-name '*' --interval 0.5 &
        worker=$!
        trap 'kill "$worker" 2>/dev/null || true' EXIT
        trap 'exit 130' INT TERM
        "$VENV/bin/python" manage.py runserver 127.0.0.1:8000
        ;;
    test)
        ensure_venv "[test]"
        shift
        exec "$VENV/bin/python" -m pytest "$@"
        ;;
    *)
        echo "usage: ./dev.sh start | ./dev.sh test [pytest arguments]" >&2
        exit 2
        ;;
esac

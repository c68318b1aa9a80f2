#!/usr/bin/env bash
# Translation workflow: extract English msgids, merge them into the zh catalog, compile.
#   scripts/i18n.sh extract   # registry/translations/messages.pot from registry/**.py and templates/**.html
#   scripts/i18n.sh update    # merge the .pot into zh (pybabel init when the catalog does not exist yet)
#   scripts/i18n.sh compile   # registry/translations/*/LC_MESSAGES/messages.mo
#   scripts/i18n.sh all       # extract, update, compile
#   scripts/i18n.sh merge-pending   # extract, update, fill EMPTY zh msgstrs from registry/translations/pending/*.tsv
#                             # (never overwrites a translation), compile, list what is still untranslated
#   scripts/i18n.sh untranslated    # list the zh msgids without a translation (exit 1 if any)
# Pending files: one `msgid<TAB>msgstr` per line (or `msgctxt<TAB>msgid<TAB>msgstr`), with \t \n \\ escaped;
# lines starting with # are comments. The integrator deletes them once merged.
# English is the msgid language, so there is no en catalog: Flask-Babel shows msgids for `en`.
set -euo pipefail

cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
if [ -x "$VENV/bin/pybabel" ]; then PYBABEL="$VENV/bin/pybabel"; else PYBABEL="pybabel"; fi

TRANSLATIONS=registry/translations
POT="$TRANSLATIONS/messages.pot"
LOCALES=(zh)

extract() {
    "$PYBABEL" -q extract -F babel.cfg -k _l -k lazy_gettext -k pgettext:1c,2 -k lazy_pgettext:1c,2 \
        --sort-by-file --add-comments=Translators: \
        --project="Lantian Registry" --copyright-holder="Lantian Registry" \
        --msgid-bugs-address="" \
        -o "$POT" .
}

update() {
    [ -f "$POT" ] || extract
    local locale
    for locale in "${LOCALES[@]}"; do
        if [ -f "$TRANSLATIONS/$locale/LC_MESSAGES/messages.po" ]; then
            "$PYBABEL" -q update -i "$POT" -d "$TRANSLATIONS" -l "$locale" --no-fuzzy-matching --ignore-obsolete
        else
            "$PYBABEL" init -i "$POT" -d "$TRANSLATIONS" -l "$locale"
        fi
    done
}

compile() {
    "$PYBABEL" compile -d "$TRANSLATIONS" --statistics
}

if [ -x "$VENV/bin/python" ]; then PY="$VENV/bin/python"; else PY="python3"; fi

# Fill empty msgstrs of the zh catalog from the pending files (scripts/i18n_pending.py; args: the .tsv files).
fill_pending() {
    "$PY" scripts/i18n_pending.py fill "$TRANSLATIONS/zh/LC_MESSAGES/messages.po" "$@"
}

untranslated() {
    "$PY" scripts/i18n_pending.py untranslated "$TRANSLATIONS/zh/LC_MESSAGES/messages.po"
}

merge_pending() {
    shopt -s nullglob
    local files=("$TRANSLATIONS"/pending/*.tsv)
    extract
    update
    if [ ${#files[@]} -gt 0 ]; then fill_pending "${files[@]}"; else echo "merge-pending: no pending files"; fi
    compile
    untranslated || true
}

case "${1:-}" in
    extract) extract ;;
    update) update ;;
    compile) compile ;;
    all) extract; update; compile ;;
    merge-pending) merge_pending ;;
    untranslated) untranslated ;;
    *) echo "usage: $0 {extract|update|compile|all|merge-pending|untranslated}" >&2; exit 2 ;;
esac

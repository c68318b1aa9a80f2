#!/usr/bin/env bash
# Translation workflow: extract English msgids, merge them into the zh catalog, compile.
#   scripts/i18n.sh extract   # registry/translations/messages.pot from registry/**.py and templates/**.html
#   scripts/i18n.sh update    # merge the .pot into zh (pybabel init when the catalog does not exist yet)
#   scripts/i18n.sh compile   # registry/translations/*/LC_MESSAGES/messages.mo
#   scripts/i18n.sh all       # extract, update, compile
# English is the msgid language, so there is no en catalog: Flask-Babel shows msgids for `en`.
set -euo pipefail

cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
if [ -x "$VENV/bin/pybabel" ]; then PYBABEL="$VENV/bin/pybabel"; else PYBABEL="pybabel"; fi

TRANSLATIONS=registry/translations
POT="$TRANSLATIONS/messages.pot"
LOCALES=(zh)

extract() {
    "$PYBABEL" extract -F babel.cfg -k _l -k lazy_gettext \
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
            "$PYBABEL" update -i "$POT" -d "$TRANSLATIONS" -l "$locale" --no-fuzzy-matching --ignore-obsolete
        else
            "$PYBABEL" init -i "$POT" -d "$TRANSLATIONS" -l "$locale"
        fi
    done
}

compile() {
    "$PYBABEL" compile -d "$TRANSLATIONS" --statistics
}

case "${1:-}" in
    extract) extract ;;
    update) update ;;
    compile) compile ;;
    all) extract; update; compile ;;
    *) echo "usage: $0 {extract|update|compile|all}" >&2; exit 2 ;;
esac

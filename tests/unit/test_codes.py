"""The one label registry (issue 16 item 1): registered vocabularies, the engine's enums, parameters, fallbacks."""
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from registry.core import codes


def test_registered_label_is_translated_and_filled(app):
    codes.register("test.vocab", {"cut": _l("Curtail %(pct)s%%"), "plain": _l("Stop production")})
    with app.test_request_context(), force_locale("zh"):
        assert codes.label("test.vocab", "plain") == "停产"
    with app.test_request_context(), force_locale("en"):
        assert codes.label("test.vocab", "cut", pct=30) == "Curtail 30%"
        assert codes.known("test.vocab", "cut") and not codes.known("test.vocab", "nope")


def test_engine_vocabularies_need_no_registration(app):
    with app.test_request_context(), force_locale("zh"):
        assert codes.label("AlertLevel", "orange") == "橙色预警"
        assert ("steel", "钢铁") in codes.choices("Sector")
    with app.test_request_context(), force_locale("en"):
        assert codes.label("Pollutant", "so2") == "SO₂"


def test_unknown_code_falls_back_to_default_or_itself(app):
    with app.test_request_context():
        assert codes.label("AlertLevel", "purple") == "purple"
        assert codes.label("AlertLevel", "purple", default="—") == "—"
        assert codes.label("AlertLevel", None) == ""

"""Reading ``NEWSPIPE_*`` settings with their defaults, and the one error type for bad values."""

from __future__ import annotations

from typing import Any

from scrapy.settings import BaseSettings

from newspipe.defaults import DEFAULTS


class SettingError(ValueError):
    """A ``NEWSPIPE_*`` setting has a value newspipe cannot use; the message names it."""


def setting(settings: BaseSettings, name: str) -> Any:
    """The value of ``name``, or its default from :mod:`newspipe.defaults`."""
    value = settings.get(name)
    return DEFAULTS.get(name) if value is None else value


def get_str(settings: BaseSettings, name: str) -> str:
    return str(setting(settings, name) or "").strip()


def get_bool(settings: BaseSettings, name: str) -> bool:
    value = setting(settings, name)
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off", "", "none"}:
        return False
    raise SettingError(f"{name} must be true or false, got {value!r}")


def get_float(
    settings: BaseSettings, name: str, *, low: float | None = None, high: float | None = None
) -> float:
    value = setting(settings, name)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SettingError(f"{name} must be a number, got {value!r}") from None
    if (low is not None and number < low) or (high is not None and number > high):
        raise SettingError(f"{name} must be between {low} and {high}, got {value!r}")
    return number


def get_int(settings: BaseSettings, name: str, *, low: int | None = None) -> int:
    value = setting(settings, name)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise SettingError(f"{name} must be a whole number, got {value!r}") from None
    if low is not None and number < low:
        raise SettingError(f"{name} must be {low} or more, got {value!r}")
    return number


def get_list(settings: BaseSettings, name: str) -> list[str]:
    """A comma-separated string or a list, as Scrapy's ``getlist`` reads it, without blanks."""
    value = setting(settings, name)
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [str(item).strip() for item in items if str(item).strip()]

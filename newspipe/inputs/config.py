"""The inputs' settings, read once into :class:`~newspipe.inputs.read.InputOptions`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from scrapy.settings import BaseSettings

from newspipe.config import SettingError, get_bool, get_int, get_list, get_str, setting
from newspipe.inputs.read import InputOptions
from newspipe.inputs.records import FieldNames
from newspipe.sources.mapping import SourceMap, pairs_from_csv, pairs_from_setting

_FIELD_SETTINGS = {
    "text": "NEWSPIPE_TEXT_FIELDS",
    "title": "NEWSPIPE_TITLE_FIELDS",
    "url": "NEWSPIPE_URL_FIELDS",
    "source": "NEWSPIPE_SOURCE_FIELDS",
    "date": "NEWSPIPE_DATE_FIELDS",
    "author": "NEWSPIPE_AUTHOR_FIELDS",
}


def field_names(settings: BaseSettings) -> FieldNames:
    names = {}
    for field, name in _FIELD_SETTINGS.items():
        values = get_list(settings, name)
        if field == "text" and not values:
            raise SettingError(f"{name} must name at least one field, got nothing")
        names[field] = tuple(values)
    return FieldNames(**names)


def source_map(settings: BaseSettings) -> SourceMap:
    """The rules of ``NEWSPIPE_SOURCE_MAP`` then those of ``NEWSPIPE_SOURCE_MAP_FILE``."""
    try:
        pairs = pairs_from_setting(setting(settings, "NEWSPIPE_SOURCE_MAP"))
        inline = SourceMap.from_pairs(pairs)
    except ValueError as exc:
        raise SettingError(f"NEWSPIPE_SOURCE_MAP: {exc}") from None
    file_name = get_str(settings, "NEWSPIPE_SOURCE_MAP_FILE")
    if not file_name:
        return inline
    try:
        from_file = SourceMap.from_pairs(pairs_from_csv(Path(file_name)))
    except (OSError, ValueError, UnicodeError) as exc:
        raise SettingError(f"NEWSPIPE_SOURCE_MAP_FILE: cannot use {file_name} ({exc})") from None
    return SourceMap(inline.rules + from_file.rules)


def input_options(
    settings: BaseSettings,
    roots: Sequence[Path],
    source: str | None = None,
) -> InputOptions:
    """What to read and how, from the settings; raise :class:`SettingError` on a bad value."""
    return InputOptions(
        roots=tuple(roots),
        source=source,
        max_doc_bytes=get_int(settings, "NEWSPIPE_MAX_DOC_BYTES", low=1),
        max_archive_bytes=get_int(settings, "NEWSPIPE_MAX_ARCHIVE_BYTES", low=1),
        follow_symlinks=get_bool(settings, "NEWSPIPE_FOLLOW_SYMLINKS"),
        fields=field_names(settings),
        source_map=source_map(settings),
    )

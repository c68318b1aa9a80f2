"""HJ 212-2017 data messages (《污染物在线监控（监测）系统数据传输标准》): parse, check, and turn hourly values into
CEMS rows (issue 19: "CEMS hourly values per stack … as HJ 212-2017 data messages").

A message (通讯包) is ``##`` + a 4-digit data-segment length + the data segment + a 4-hex-digit CRC + CR LF::

    ##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&1C80

The data segment is ``QN=…;ST=…;CN=…;PW=…;MN=…;Flag=…;CP=&&…&&`` (PNUM/PNO when a message is split). The CRC is the
standard's CRC-16 over the data segment only: register 0xFFFF; for each byte, the register shifted right by 8 and
XOR-ed with the byte, then 8 rounds of "shift right, XOR 0xA001 when the bit shifted out is 1" (the reflected
polynomial 0x8005); written as 4 upper-case hex digits. The standard's own example above has CRC 1C80.

The CP of a data upload holds ``DataTime=YYYYMMDDhhmmss`` and, per pollutant code, ``code-Field=value`` items
(``-Rtd`` real-time, ``-Avg/-Min/-Max/-Cou`` for minute, hourly and daily data, ``-Flag`` the data flag), items of one
code separated by ``,`` and codes by ``;``. The codes read here: a21026 SO₂, a21002 NOx, a34013 particulate matter
(烟尘), a19001 O₂ and a00000 flue-gas flow; other codes are kept in `Message.values` but not stored.

Commands (CN): 2011 real-time data, 2051 minute data, 2061 hourly data, 2031 daily data. The store keeps hourly values
(CN 2061); the others are parsed but refused for the store with a clear reason.

Every failure is a `MessageError` carrying a translated reason (the field and the value) — nothing of a refused message
is stored.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l

CODES = {"a21026": "so2", "a21002": "nox", "a34013": "pm", "a19001": "o2", "a00000": "flow"}
COMMANDS = {"2011": "realtime", "2051": "minute", "2061": "hourly", "2031": "daily"}
FLAGS = ("N", "F", "M", "S", "D", "C", "T", "B")
# one status per stored hour: the most telling flag of its values (a stopped or failing device before a manual one)
FLAG_PRIORITY = ("F", "D", "B", "M", "C", "T", "S", "N")
MAX_LENGTH = 9999  # the length field has 4 digits (the standard allows at most 1024 bytes per message)
_HEADER = re.compile(r"^##(\d{4})")
_CRC = re.compile(r"^[0-9A-Fa-f]{4}$")
_DATATIME = re.compile(r"^\d{14}$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")
_MN = re.compile(r"^[0-9A-Za-z]{1,24}$")


def crc16(data: bytes) -> int:
    """The HJ 212-2017 CRC of the data segment (see the module docstring)."""
    crc = 0xFFFF
    for byte in data:
        crc = (crc >> 8) ^ byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def frame(segment: str) -> str:
    """A whole message for a data segment: header, length, segment, CRC, CR LF (for tests, the demo and clients)."""
    raw = segment.encode("ascii")
    return f"##{len(raw):04d}{segment}{crc16(raw):04X}\r\n"


class MessageError(ValueError):
    def __init__(self, reason, field_name: str = "", value: str = ""):
        super().__init__(str(reason))
        self.reason = reason
        self.field = field_name
        self.value = value


@dataclass
class Message:
    qn: str
    st: str
    cn: str
    pw: str
    mn: str
    flag: str
    data_time: datetime | None
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # code → {"Avg": "12.3", "Flag": "N", …}

    @property
    def command(self) -> str:
        return COMMANDS.get(self.cn, "")

    def number(self, code: str, kind: str = "Avg") -> float | None:
        text = self.values.get(code, {}).get(kind)
        return float(text) if text not in (None, "") else None

    def status(self) -> str:
        flags = {v.get("Flag", "N") for c, v in self.values.items() if c in CODES}
        for f in FLAG_PRIORITY:
            if f in flags:
                return f
        return "N"

    def cems_row(self) -> dict:
        """The hourly row for the store (without city, enterprise and stack, which the MN resolves to)."""
        value = "Rtd" if self.cn == "2011" else "Avg"
        row = {name: self.number(code, value) for code, name in CODES.items()}
        return {"ts": self.data_time, **row, "status": self.status()}


def parse(text: str) -> Message:
    """One message → `Message`; any defect → `MessageError` naming the field and the value."""
    text = text.rstrip("\r\n")
    m = _HEADER.match(text)
    if not text.startswith("##"):
        raise MessageError(_l("The message does not start with ##"), "##", text[:12])
    if not m:
        raise MessageError(_l("The length after ## must be 4 digits"), _l("Length"), text[2:6])
    declared = int(m.group(1))
    body = text[6:]
    if len(body) < 4:
        raise MessageError(_l("The message ends before its CRC"), "CRC", body)
    segment, crc_text = body[:-4], body[-4:]
    try:
        raw = segment.encode("ascii")
    except UnicodeEncodeError as err:
        raise MessageError(_l("The message holds characters other than ASCII"), _l("Data segment"), segment[:40]) from err
    if len(raw) != declared:
        raise MessageError(_l("The data segment is %(actual)s bytes long, the length field says %(declared)s",
                              actual=len(raw), declared=declared), _l("Length"), m.group(1))
    if not _CRC.match(crc_text):
        raise MessageError(_l("The CRC must be 4 hexadecimal digits"), "CRC", crc_text)
    computed = crc16(raw)
    if int(crc_text, 16) != computed:
        raise MessageError(_l("CRC check failed: the message says %(sent)s, its data segment gives %(computed)s",
                              sent=crc_text.upper(), computed=f"{computed:04X}"), "CRC", crc_text)
    return _segment(segment)


def _segment(segment: str) -> Message:
    if "CP=&&" not in segment or not segment.endswith("&&"):
        raise MessageError(_l("The data segment has no CP=&&…&& part"), "CP", segment[-40:])
    head, cp = segment.split("CP=&&", 1)
    cp = cp[:-2]
    fields: dict[str, str] = {}
    for part in head.split(";"):
        if not part:
            continue
        if "=" not in part:
            raise MessageError(_l("A field is not written name=value"), part, part)
        k, v = part.split("=", 1)
        fields[k] = v
    for name in ("QN", "ST", "CN", "PW", "MN", "Flag"):
        if not fields.get(name):
            raise MessageError(_l("The field %(field)s is missing", field=name), name, "")
    if not _MN.match(fields["MN"]):
        raise MessageError(_l("MN must be 1 to 24 letters or digits"), "MN", fields["MN"])
    values: dict[str, dict[str, str]] = {}
    data_time = None
    for group in cp.split(";"):
        for item in group.split(","):
            if not item:
                continue
            if "=" not in item:
                raise MessageError(_l("A field is not written name=value"), "CP", item)
            k, v = item.split("=", 1)
            if k == "DataTime":
                if not _DATATIME.match(v):
                    raise MessageError(_l("DataTime must be YYYYMMDDhhmmss"), "DataTime", v)
                try:
                    data_time = datetime.strptime(v, "%Y%m%d%H%M%S")
                except ValueError as err:
                    raise MessageError(_l("DataTime is not a valid time"), "DataTime", v) from err
                continue
            if "-" not in k:
                values.setdefault("", {})[k] = v
                continue
            code, kind = k.split("-", 1)
            if kind == "Flag":
                if v not in FLAGS:
                    raise MessageError(_l("Unknown data flag (HJ 212: N, F, M, S, D, C, T, B)"), k, v)
            elif v and not _NUMBER.match(v):
                raise MessageError(_l("The value is not a number"), k, v)
            values.setdefault(code, {})[kind] = v
    values.pop("", None)
    return Message(fields["QN"], fields["ST"], fields["CN"], fields["PW"], fields["MN"], fields["Flag"], data_time,
                   values)


def hourly(message: Message) -> dict:
    """The store row of an hourly data message, or `MessageError` saying why it is not one."""
    if message.cn not in COMMANDS:
        raise MessageError(_l("CN %(cn)s is not a data upload (2011, 2051, 2061 or 2031)", cn=message.cn), "CN",
                           message.cn)
    if message.cn != "2061":
        raise MessageError(_l("Only hourly data (CN=2061) is stored; this message is CN=%(cn)s", cn=message.cn),
                           "CN", message.cn)
    if message.data_time is None:
        raise MessageError(_l("The field %(field)s is missing", field="DataTime"), "DataTime", "")
    if message.data_time.minute or message.data_time.second:
        raise MessageError(_l("Hourly data must be stamped on the hour"), "DataTime",
                           message.data_time.strftime("%Y%m%d%H%M%S"))
    if not any(code in message.values for code in CODES):
        raise MessageError(_l("The message carries none of SO₂, NOx, particulate matter, O₂ or flow"), "CP", "")
    return message.cems_row()

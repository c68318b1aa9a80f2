"""HJ 212-2017 data messages (issue 19 item 3): the standard's CRC, real-format hourly messages, and malformed ones
refused with a reason naming the field and value."""
from __future__ import annotations

from datetime import datetime

import pytest

from registry.readings import hj212
from registry.readings.hj212 import MessageError, crc16, frame, hourly, parse

# The standard's own example (HJ 212-2017, 附录: 通讯包示例): length 0101, CRC 1C80.
STANDARD_EXAMPLE = "##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&1C80\r\n"

HOURLY_SEGMENT = ("QN=20261201100000123;ST=31;CN=2061;PW=123456;MN=LF13100000000001;Flag=4;"
                  "CP=&&DataTime=20261201090000;a21026-Min=10.2,a21026-Avg=12.5,a21026-Max=15.1,a21026-Flag=N;"
                  "a21002-Avg=45.0,a21002-Flag=N;a34013-Avg=3.2,a34013-Flag=N;a19001-Avg=9.80,a19001-Flag=N;"
                  "a00000-Avg=125000,a00000-Flag=N&&")


def test_crc_of_the_standard_example():
    segment = STANDARD_EXAMPLE[6:-6]
    assert len(segment) == 101
    assert crc16(segment.encode()) == 0x1C80
    assert frame(segment) == STANDARD_EXAMPLE
    msg = parse(STANDARD_EXAMPLE)
    assert (msg.cn, msg.mn, msg.flag, msg.st) == ("1062", "010000A8900016F000169DC0", "5", "32")


def test_hourly_message_gives_a_cems_row():
    msg = parse(frame(HOURLY_SEGMENT))
    assert msg.command == "hourly"
    row = hourly(msg)
    assert row == {"ts": datetime(2026, 12, 1, 9), "so2": 12.5, "nox": 45.0, "pm": 3.2, "o2": 9.8, "flow": 125000.0,
                   "status": "N"}


def test_shutdown_flag_is_the_hours_status():
    seg = HOURLY_SEGMENT.replace("a21026-Flag=N", "a21026-Flag=F").replace("a21002-Flag=N", "a21002-Flag=F")
    assert hourly(parse(frame(seg)))["status"] == "F"


@pytest.mark.parametrize("mutate, field", [
    (lambda m: m.replace("##0", "#0", 1), "##"),                                     # bad start
    (lambda m: "##01a1" + m[6:], "Length"),                                           # length not digits
    (lambda m: "##0999" + m[6:], "Length"),                                           # length mismatch
    (lambda m: m[:-6] + "FFFF\r\n", "CRC"),                                           # wrong CRC
    (lambda m: m[:-6] + "XYZ1\r\n", "CRC"),                                           # CRC not hex
    (lambda m: frame(HOURLY_SEGMENT.replace("MN=LF13100000000001;", "")), "MN"),      # missing field
    (lambda m: frame(HOURLY_SEGMENT.replace("DataTime=20261201090000", "DataTime=2026120109")), "DataTime"),
    (lambda m: frame(HOURLY_SEGMENT.replace("DataTime=20261201090000", "DataTime=20261301090000")), "DataTime"),
    (lambda m: frame(HOURLY_SEGMENT.replace("a21026-Avg=12.5", "a21026-Avg=12,5x")), "CP"),
    (lambda m: frame(HOURLY_SEGMENT.replace("a21026-Avg=12.5", "a21026-Avg=abc")), "a21026-Avg"),
    (lambda m: frame(HOURLY_SEGMENT.replace("a21026-Flag=N", "a21026-Flag=Q")), "a21026-Flag"),
    (lambda m: frame(HOURLY_SEGMENT[:-2]), "CP"),                                     # CP not closed
])
def test_malformed_messages_are_refused_naming_the_field(mutate, field):
    with pytest.raises(MessageError) as err:
        parse(mutate(frame(HOURLY_SEGMENT)))
    assert str(err.value.field) == field
    assert str(err.value.reason)


@pytest.mark.parametrize("cn", ["2011", "2051", "2031", "9014"])
def test_only_hourly_data_is_stored(cn):
    msg = parse(frame(HOURLY_SEGMENT.replace("CN=2061", f"CN={cn}")))
    with pytest.raises(MessageError) as err:
        hourly(msg)
    assert str(err.value.field) == "CN"


def test_hourly_must_be_on_the_hour():
    with pytest.raises(MessageError):
        hourly(parse(frame(HOURLY_SEGMENT.replace("DataTime=20261201090000", "DataTime=20261201091500"))))


def test_codes_read():
    assert set(hj212.CODES.values()) == {"so2", "nox", "pm", "o2", "flow"}

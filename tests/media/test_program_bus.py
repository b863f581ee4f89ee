"""The program bus decides what goes on air from the sources' last-frame times (pure)."""

from __future__ import annotations

from hub.media.program.bus import SLATE, FailedOver, ProgramBus, Recovered, Switched


class Sources:
    """When each source last delivered a frame."""

    def __init__(self, **last: float | None) -> None:
        self.last = dict(last)

    def __call__(self, source: str) -> float | None:
        return self.last.get(source)


def bus(program: str | None = "truck", backup: str | None = "phone") -> ProgramBus:
    return ProgramBus(stall_timeout=0.5, recover_after=1.0, program=program, backup=backup)


def test_a_live_program_goes_on_air_without_a_fact() -> None:
    b = bus()
    assert b.evaluate(10.0, Sources(truck=9.9, phone=9.9)) == []
    assert b.target == "truck"


def test_a_stalled_program_fails_over_to_a_live_backup() -> None:
    b = bus()
    sources = Sources(truck=10.0, phone=10.0)
    b.evaluate(10.0, sources)
    sources.last["phone"] = 10.5

    assert b.evaluate(10.4, sources) == []
    assert b.evaluate(10.6, sources) == [FailedOver("phone", "truck stalled: no frames for 0.6 s")]
    assert b.target == "phone"


def test_with_the_backup_down_too_the_slate_goes_on_air() -> None:
    b = bus()
    b.evaluate(10.0, Sources(truck=10.0, phone=10.0))

    facts = b.evaluate(11.0, Sources(truck=10.0, phone=None))

    assert facts == [
        FailedOver(SLATE, "truck stalled: no frames for 1.0 s; backup phone is not live")
    ]
    assert b.target is None


def test_a_program_that_comes_back_must_hold_steady_before_it_recovers() -> None:
    b = bus(backup=None)
    sources = Sources(truck=10.0)
    b.evaluate(10.0, sources)
    assert b.evaluate(11.0, sources) == [FailedOver(SLATE, "truck stalled: no frames for 1.0 s")]

    sources.last["truck"] = 12.0
    assert b.evaluate(12.0, sources) == []  # back, but not yet for long
    sources.last["truck"] = 12.9
    assert b.evaluate(12.9, sources) == []
    sources.last["truck"] = 13.1
    assert b.evaluate(13.1, sources) == [Recovered("truck")]
    assert b.target == "truck"


def test_a_flapping_program_does_not_flap_the_output() -> None:
    b = bus(backup="phone")
    sources = Sources(truck=10.0, phone=10.0)
    b.evaluate(10.0, sources)
    for now in (10.6, 11.0, 11.4):  # the truck delivers in bursts with gaps
        sources.last["phone"] = now
        b.evaluate(now, sources)
        sources.last["truck"] = now
        assert b.evaluate(now + 0.1, sources) == []
    assert b.target == "phone"


def test_an_output_started_without_its_source_starts_on_the_slate() -> None:
    b = bus(backup=None)

    assert b.evaluate(5.0, Sources()) == [FailedOver(SLATE, "truck is not live")]


def test_an_output_without_a_program_says_so() -> None:
    b = bus(program=None, backup=None)

    assert b.evaluate(5.0, Sources()) == [FailedOver(SLATE, "no program source is selected")]


def test_selecting_a_live_source_switches_at_once() -> None:
    b = bus()
    sources = Sources(truck=10.0, phone=10.0, drone=10.0)
    b.evaluate(10.0, sources)

    assert b.select("drone", 10.1, sources) == [Switched("truck", "drone")]
    assert (b.program, b.target) == ("drone", "drone")


def test_selecting_a_source_that_is_not_live_says_why_it_is_not_on_air() -> None:
    b = bus()
    sources = Sources(truck=10.0, phone=10.0)
    b.evaluate(10.0, sources)

    facts = b.select("drone", 10.1, sources)

    assert facts == [Switched("truck", "drone"), FailedOver("phone", "drone is not live")]
    facts = b.select("heli", 10.2, sources)
    assert facts == [Switched("drone", "heli"), FailedOver("phone", "heli is not live")]


def test_an_operators_choice_needs_no_proof_of_recovery() -> None:
    b = bus()
    sources = Sources(truck=10.0, phone=10.0)
    b.evaluate(10.0, sources)
    sources.last.update(truck=11.0, phone=11.0)
    b.evaluate(10.8, sources)  # truck seen down
    assert b.select("truck", 11.0, sources) == []
    assert b.target == "truck"


def test_setting_a_live_backup_takes_the_output_off_the_slate() -> None:
    b = bus(backup=None)
    sources = Sources(phone=10.0)
    b.evaluate(10.0, sources)

    assert b.set_backup("phone", 10.1, sources) == [FailedOver("phone", "truck is not live")]
    assert b.target == "phone"

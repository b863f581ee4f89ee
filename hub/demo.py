"""A seeded newsroom for `hub demo`: people of every role, assignments in every state, stories at
each review level, sources and an output, and a director that keeps the wall moving."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from events.errors import DomainError
from events.roles import SYSTEM_ACTOR, Actor
from hub.commands.assignments import (
    AcceptAssignment,
    AssignReporter,
    CancelAssignment,
    CheckIn,
    CloseAssignment,
    DeclineAssignment,
    FileAssignment,
    PlanAssignment,
)
from hub.commands.dispatch import AcknowledgeCommand, IssueCommand
from hub.commands.duty import ScheduleShift
from hub.commands.fields import Channel, Place, Priority, RoleId
from hub.commands.live import ConfigureOutput, RegisterSource, SourceKind, StartOutput
from hub.commands.opinion import WriteRule
from hub.commands.people import RegisterUser
from hub.commands.stories import (
    DraftStory,
    PublishStory,
    RegisterCapture,
    RetractStory,
    ReviewStory,
    SubmitStory,
)
from hub.commands.topics import DecideTopic, MakeAssignments, ProposeTopic, TopicAssignment
from hub.demo_pictures import landscape
from hub.errors import HubError
from hub.newsroom import Newsroom, Request

DEMO_PASSWORD = "demo"
PRIORITIES: list[Priority] = ["normal", "high", "urgent", "low"]
CHANNELS: list[Channel] = ["tv", "wechat", "douyin", "website"]
MARKER_USER = "zhang.wei"

PEOPLE: list[tuple[str, str, list[RoleId]]] = [
    ("zhang.wei", "张伟", ["dispatcher"]),
    ("li.na", "李娜", ["dispatcher", "technician"]),
    ("wang.fang", "王芳", ["reporter"]),
    ("liu.yang", "刘洋", ["reporter"]),
    ("chen.jie", "陈杰", ["reporter"]),
    ("zhao.min", "赵敏", ["reporter"]),
    ("sun.hao", "孙浩", ["reporter"]),
    ("zhou.li", "周丽", ["editor"]),
    ("wu.qiang", "吴强", ["editor"]),
    ("zheng.hua", "郑华", ["desk_head"]),
    ("huang.bo", "黄波", ["chief_editor"]),
    ("ma.jun", "马骏", ["technician"]),
    ("he.ping", "何平", ["auditor"]),
    ("wall", "指挥大屏", ["wall"]),
]

PLACES = [
    ("东桥", 29.8712, 121.5431),
    ("县政府广场", 29.8683, 121.5440),
    ("城南工业园", 29.8521, 121.5502),
    ("青山村", 29.9012, 121.5003),
    ("县人民医院", 29.8750, 121.5390),
    ("高铁站", 29.8405, 121.5601),
    ("湿地公园", 29.8899, 121.5705),
    ("第一中学", 29.8655, 121.5322),
]

TOPICS = [
    "东桥汛情直播",
    "春耕备耕现场",
    "县医院新门诊楼启用",
    "高铁站春运客流",
    "青山村民宿经济",
    "城南工业园招聘会",
    "湿地公园候鸟回归",
    "第一中学科技节",
    "县城交通整治",
    "农产品直播带货",
    "老旧小区改造进展",
    "防汛应急演练",
    "夜市烟火气",
    "乡村振兴观察",
]


def actor(name: str) -> Actor:
    roles = next(r for n, _, r in PEOPLE if n == name)
    return Actor(name, frozenset(roles))


@dataclass
class Seeded:
    """What the seeding made: tokens of the people and sources (shown in the demo banner)."""

    tokens: dict[str, str]


def is_seeded(newsroom: Newsroom) -> bool:
    try:
        newsroom.user(MARKER_USER)
    except HubError:
        return False
    return True


def seed(newsroom: Newsroom, now: datetime | None = None) -> Seeded | None:
    """Seeds a believable newsroom once; returns None when it is there already."""
    if is_seeded(newsroom):
        return None
    moment = (now or datetime.now(UTC)) - timedelta(hours=3)
    rng = random.Random(20261123)

    def at() -> datetime:
        nonlocal moment
        moment += timedelta(seconds=rng.randint(20, 90))
        return moment

    def req(name: str) -> Request:
        return Request(actor(name), at())

    tokens: dict[str, str] = {}
    for name, display, roles in PEOPLE:
        done = newsroom.handle(
            Request(SYSTEM_ACTOR, at()),
            # The demo's well-known password is shorter than the API lets anyone choose.
            RegisterUser.model_construct(
                name=name, roles=roles, display_name=display, password=DEMO_PASSWORD
            ),
        )
        tokens[name] = done.extra["token"]
    reporters = [n for n, _, roles in PEOPLE if "reporter" in roles]
    for reporter in reporters:
        done = newsroom.handle(
            req("li.na"), RegisterSource(name=f"{reporter}-phone", kind="phone", owner=reporter)
        )
        tokens[f"{reporter}-phone"] = done.extra["token"]
    for name in ("truck-1", "studio-cam"):
        kind: SourceKind = "truck" if name.startswith("truck") else "encoder"
        tokens[name] = newsroom.handle(req("li.na"), RegisterSource(name=name, kind=kind)).extra[
            "token"
        ]
    newsroom.handle(
        req("ma.jun"),
        ConfigureOutput(
            name="main", source="truck-1", backup="studio-cam", slate_text="县融媒体中心 · 请稍候"
        ),
    )
    newsroom.handle(req("ma.jun"), StartOutput(id="main"))

    # A dozen assignments, spread over every state of the board; from the seventh on they carry
    # stories, each written by the assignment's own reporter.
    ladders: list[list[str]] = [
        ["on_scene"], ["on_scene"], ["accepted"], ["assigned"], ["assigned"], ["planned"],
        ["assigned"], ["declined"], ["filed"], ["filed"], ["closed"], ["cancelled"], ["on_scene"],
    ]  # fmt: skip
    assignments: list[tuple[UUID, str]] = []
    for i, (target,) in enumerate(ladders):
        place, lat, lon = PLACES[i % len(PLACES)]
        reporter = reporters[i % len(reporters)]
        a = newsroom.handle(
            req("zhang.wei"),
            PlanAssignment(
                title=TOPICS[i],
                brief=f"到{place}采访，图文视频全媒体发布",
                location=Place(name=place, lat=lat, lon=lon),
                priority=PRIORITIES[i % 4],
                due=moment + timedelta(hours=2 + i),
                channels=CHANNELS[: 2 + i % 3],
            ),
        ).id
        assignments.append((a, reporter))
        steps = _steps_to(target)
        for step in steps:
            _advance(newsroom, step, a, reporter, req, lat, lon)

    # Commands: some acknowledged, some waiting (they escalate on the wall).
    for (a, reporter), text in zip(
        assignments[:4],
        ["14:00 准备连线", "补一个全景镜头", "注意安全，水位上涨", "采访县长"],
        strict=True,
    ):
        cmd = newsroom.handle(req("zhang.wei"), IssueCommand(to=reporter, assignment=a, text=text))
        if text.startswith("14:00"):
            newsroom.handle(req(reporter), AcknowledgeCommand(id=cmd.id))

    # Stories at each review level, one published to several channels, one retracted.
    stages = ["draft", "first", "second", "final", "published", "retracted"]
    for i, stage in enumerate(stages, start=6):
        a, reporter = assignments[i]
        photo = _photo(newsroom, req(reporter), a, i)
        story = newsroom.handle(
            req(reporter),
            DraftStory(
                assignment=a,
                title=f"{TOPICS[i]}：现场报道",
                body="记者现场发回报道。\n\n据了解，相关工作正在有序推进。",
                captures=[photo],
            ),
        ).id
        _review_to(newsroom, story, stage, reporter, req)
    _meeting(newsroom, req, moment.astimezone().date().isoformat())
    _watch(newsroom, req, moment)
    return Seeded(tokens)


def _meeting(newsroom: Newsroom, req: Callable[[str], Request], day: str) -> None:
    """Today's topic meeting: one topic approved and assigned, one deferred, one still open."""
    proposals: list[tuple[str, str, str, list[Channel]]] = [
        ("wang.fang", "老旧小区加装电梯：谁来出钱", "居民、街道、企业三方说法", ["tv", "wechat"]),
        ("zhou.li", "夜市经济一周观察", "摊主收入与城管规范", ["douyin", "weibo"]),
        ("liu.yang", "冬季流感门诊压力", "县人民医院门诊量与应对", ["tv", "app"]),
    ]
    made = [
        newsroom.handle(
            req(who),
            ProposeTopic(title=title, angle=angle, channels=channels, resources="", day=day),
        ).id
        for who, title, angle, channels in proposals
    ]
    newsroom.handle(
        req("huang.bo"), DecideTopic(id=made[0], decision="approve", reason="民生关切，重点策划")
    )
    newsroom.handle(
        req("huang.bo"),
        MakeAssignments(
            id=made[0],
            assignments=[
                TopicAssignment(
                    location=Place(name="县政府广场", lat=29.8683, lon=121.5440),
                    reporter="wang.fang",
                )
            ],
        ),
    )
    newsroom.handle(
        req("zheng.hua"), DecideTopic(id=made[1], decision="defer", reason="等城管新规出台")
    )


def _watch(newsroom: Newsroom, req: Callable[[str], Request], moment: datetime) -> None:
    """Today's roster (a day and a night shift, each with its leader) and two 舆情 rules."""
    day = moment.replace(minute=0, second=0, microsecond=0) - timedelta(hours=4)
    for start, people, leader in (
        (day, ["zhang.wei", "zhou.li", "ma.jun"], "huang.bo"),
        (day + timedelta(hours=12), ["li.na", "wu.qiang"], "zheng.hua"),
    ):
        newsroom.handle(
            req("zheng.hua"),
            ScheduleShift(
                start=start, end=start + timedelta(hours=12), on_duty=people, leader=leader
            ),
        )
    newsroom.handle(
        req("zheng.hua"), WriteRule(name="安全事故", level="red", terms=["爆炸", "泄漏", "坍塌"])
    )
    newsroom.handle(
        req("zheng.hua"),
        WriteRule(name="本县负面", level="yellow", places=["城关镇", "县人民医院"], negative=0.8),
    )


def _photo(newsroom: Newsroom, r: Request, assignment: UUID, n: int) -> UUID:
    """A reporter's photo from the scene, stored where uploads go and registered as a capture."""
    picture = landscape(n)
    name = f"demo-photo-{n}.png"
    folder = newsroom.settings.data_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(picture)
    done = newsroom.handle(
        r,
        RegisterCapture(
            assignment=assignment,
            kind="upload",
            filename=f"现场照片-{n}.png",
            content_type="image/png",
            size=len(picture),
            sha256=hashlib.sha256(picture).hexdigest(),
            details={"path": f"uploads/{name}"},
        ),
    )
    return done.id


def _steps_to(target: str) -> list[str]:
    ladder = ["assigned", "accepted", "on_scene", "filed", "closed"]
    if target == "planned":
        return []
    if target == "declined":
        return ["assigned", "declined"]
    if target == "cancelled":
        return ["assigned", "cancelled"]
    return ladder[: ladder.index(target) + 1]


def _advance(
    newsroom: Newsroom,
    step: str,
    a: UUID,
    reporter: str,
    req: Callable[[str], Request],
    lat: float,
    lon: float,
) -> None:
    if step == "assigned":
        newsroom.handle(req("zhang.wei"), AssignReporter(id=a, reporter=reporter))
    elif step == "accepted":
        newsroom.handle(req(reporter), AcceptAssignment(id=a))
    elif step == "declined":
        newsroom.handle(req(reporter), DeclineAssignment(id=a, reason="正在跟进另一条突发"))
    elif step == "on_scene":
        newsroom.handle(req(reporter), CheckIn(id=a, lat=lat + 0.0004, lon=lon - 0.0003))
    elif step == "filed":
        newsroom.handle(req(reporter), FileAssignment(id=a))
    elif step == "closed":
        newsroom.handle(req("zhang.wei"), CloseAssignment(id=a))
    elif step == "cancelled":
        newsroom.handle(req("zhang.wei"), CancelAssignment(id=a, reason="活动延期"))


def _review_to(
    newsroom: Newsroom, story: UUID, stage: str, reporter: str, req: Callable[[str], Request]
) -> None:
    if stage == "draft":
        return
    newsroom.handle(req(reporter), SubmitStory(id=story))
    reviewers = ["zhou.li", "zheng.hua", "huang.bo"]
    levels = {"first": 0, "second": 1, "final": 2}.get(stage, 3)
    for reviewer in reviewers[:levels]:
        newsroom.handle(req(reviewer), ReviewStory(id=story, decision="approve", reason="同意"))
    if stage in ("published", "retracted"):
        newsroom.handle(
            req("huang.bo"), PublishStory(id=story, channels=["tv", "wechat", "douyin", "website"])
        )
    if stage == "retracted":
        newsroom.handle(
            req("huang.bo"), RetractStory(id=story, channel="douyin", reason="标题表述不准确")
        )


class Director:
    """Moves the demo newsroom along, one plausible step at a time, so the wall is alive.

    It plans assignments and walks each through the board, and sends commands that the
    reporters acknowledge a little later; people using the demo act alongside it.
    """

    def __init__(self, newsroom: Newsroom, seed_value: int = 7) -> None:
        self.newsroom = newsroom
        self.rng = random.Random(seed_value)
        self.open: list[tuple[UUID, str, int]] = []  # assignment, reporter, steps taken
        self.commands: list[tuple[UUID, str]] = []

    def step(self, now: datetime) -> str | None:
        """Takes one step; returns what happened (or None when nothing fitted)."""
        try:
            if self.commands and self.rng.random() < 0.3:
                command, reporter = self.commands.pop(0)
                self.newsroom.handle(Request(actor(reporter), now), AcknowledgeCommand(id=command))
                return f"{reporter} acknowledged a command"
            if len(self.open) < 4 or self.rng.random() < 0.2:
                return self._plan(now)
            if self.rng.random() < 0.25:
                return self._command(now)
            return self._advance(now)
        except (DomainError, HubError):
            return None

    def _plan(self, now: datetime) -> str:
        place, lat, lon = self.rng.choice(PLACES)
        title = f"{self.rng.choice(TOPICS)}（{now.astimezone(UTC):%H:%M}）"
        a = self.newsroom.handle(
            Request(actor("zhang.wei"), now),
            PlanAssignment(
                title=title,
                brief=f"到{place}采访",
                location=Place(name=place, lat=lat, lon=lon),
                priority=self.rng.choice(PRIORITIES[:3]),
                due=now + timedelta(hours=3),
                channels=["tv", "wechat"],
            ),
        ).id
        reporter = self.rng.choice([n for n, _, r in PEOPLE if "reporter" in r])
        self.open.append((a, reporter, 0))
        return f"planned {title}"

    def _advance(self, now: datetime) -> str:
        index = self.rng.randrange(len(self.open))
        a, reporter, taken = self.open[index]
        ladder = ["assigned", "accepted", "on_scene", "filed", "closed"]
        step = ladder[taken]
        place = self.rng.choice(PLACES)
        _advance(
            self.newsroom,
            step,
            a,
            reporter,
            lambda name: Request(actor(name), now),
            place[1],
            place[2],
        )
        if step == "closed":
            self.open.pop(index)
        else:
            self.open[index] = (a, reporter, taken + 1)
        return f"{step}: {a}"

    def _command(self, now: datetime) -> str:
        reporter = self.rng.choice([n for n, _, r in PEOPLE if "reporter" in r])
        text = self.rng.choice(["补拍空镜", "准备连线", "回传素材", "注意安全"])
        done = self.newsroom.handle(
            Request(actor("zhang.wei"), now), IssueCommand(to=reporter, text=text)
        )
        self.commands.append((done.id, reporter))
        return f"sent {reporter}: {text}"

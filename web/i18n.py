"""The pages' words in Chinese (the default) and English, for templates and their scripts.

The language comes from `?lang=` (which also sets the `lang` cookie), then the cookie, then
Chinese. Labels follow DESIGN §6, the words of the trade.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from starlette.requests import HTTPConnection

from events.channels import CHANNELS

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
COOKIE = "lang"

CHANNELS_EN = {
    "tv": "TV",
    "radio": "Radio",
    "paper": "Paper",
    "website": "Website",
    "app": "App",
    "wechat": "WeChat",
    "weibo": "Weibo",
    "douyin": "Douyin",
    "outdoor": "Outdoor screen",
    "emergency": "Emergency broadcast",
}

SHORT_CHANNELS = {
    "tv": ("电视", "TV"),
    "radio": ("广播", "Radio"),
    "paper": ("报纸", "Paper"),
    "website": ("网站", "Web"),
    "app": ("APP", "App"),
    "wechat": ("微信", "WeChat"),
    "weibo": ("微博", "Weibo"),
    "douyin": ("抖音", "Douyin"),
    "outdoor": ("户外", "Outdoor"),
    "emergency": ("应急", "Alert"),
}

# key: (中文, English)
WORDS: dict[str, tuple[str, str]] = {
    # the site
    "hall": ("指挥调度", "Command & Dispatch"),
    "page.wall": ("大屏", "Wall"),
    "page.console": ("调度台", "Console"),
    "page.reporter": ("记者", "Reporter"),
    "page.review": ("三审", "Review"),
    "page.audit": ("审计留痕", "Audit trail"),
    "page.login": ("登录", "Sign in"),
    "sign_out": ("退出", "Sign out"),
    "signed_in_as": ("当前用户", "Signed in as"),
    "language": ("English", "中文"),
    "denied.title": ("无权访问", "Not allowed"),
    "denied.text": ("此页面需要以下角色之一：", "This page needs one of these roles:"),
    "denied.home": ("回到我的页面", "Go to my page"),
    # sign-in
    "login.name": ("用户名", "Name"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Sign in"),
    "login.error.bad_credentials": ("用户名或密码错误", "Wrong name or password"),
    "login.error.too_many_attempts": ("尝试次数过多，请稍后再试", "Too many attempts"),
    "login.error.other": ("登录失败", "Could not sign in"),
    "login.retry_after": ("秒后可重试", "s until you may retry"),
    # the feed
    "feed.connecting": ("正在连接…", "Connecting…"),
    "feed.live": ("实时", "Live"),
    "feed.down": ("连接中断，数据可能已过时", "Feed down: what you see may be out of date"),
    "feed.behind": ("数据更新滞后", "The feed is behind the log"),
    "feed.failed": ("投影已停止，大屏不再更新", "The projection stopped: no more updates"),
    "feed.store_down": (
        "数据库无法连接，大屏暂停更新",
        "Store unreachable: the wall is not updating",
    ),
    "feed.since": ("开始于", "since"),
    "feed.retry_in": ("秒后重连", "s to reconnect"),
    "feed.updated": ("最后更新", "Last update"),
    # wall
    "wall.live": ("直播", "LIVE"),
    "wall.on_air": ("主输出", "ON AIR"),
    "wall.alerts": ("告警", "Alerts"),
    "wall.board": ("任务看板", "Assignments"),
    "wall.people": ("人员动态", "People"),
    "wall.commands": ("未确认指令", "Unacknowledged commands"),
    "wall.reviews": ("三审队列", "Review queues"),
    "wall.matrix": ("今日发布", "Published today"),
    "wall.no_sources": ("暂无直播信号", "No live sources"),
    "wall.no_commands": ("全部已确认", "All acknowledged"),
    "wall.no_alerts": ("暂无告警", "No alerts"),
    "wall.nothing": ("暂无", "None"),
    "wall.pgm": ("PGM", "PGM"),
    "wall.slate": ("垫片", "slate"),
    "wall.replay": ("回溯", "REPLAY"),
    "wall.no_picture": ("无画面", "No picture"),
    "wall.replay_position": ("位置", "position"),
    "wall.overdue": ("已超时", "overdue"),
    "wall.min": ("分钟", "min"),
    "wall.to": ("发给", "to"),
    # source states
    "source.live": ("直播中", "live"),
    "source.interrupted": ("中断", "interrupted"),
    "source.idle": ("已结束", "ended"),
    "source.standby": ("待机", "standby"),
    # assignment states and priorities
    "state.planned": ("待派", "planned"),
    "state.assigned": ("已派单", "assigned"),
    "state.accepted": ("已接单", "accepted"),
    "state.declined": ("已拒单", "declined"),
    "state.on_scene": ("在现场", "on scene"),
    "state.filed": ("已交稿", "filed"),
    "state.closed": ("已完成", "closed"),
    "state.cancelled": ("已取消", "cancelled"),
    "person.idle": ("待命", "idle"),
    "person.assigned": ("已派单", "assigned"),
    "person.en_route": ("在途", "en route"),
    "person.on_scene": ("在现场", "on scene"),
    "priority.low": ("低", "low"),
    "priority.normal": ("普通", "normal"),
    "priority.high": ("高", "high"),
    "priority.urgent": ("紧急", "urgent"),
    "command.issued": ("已发出", "issued"),
    "command.delivered": ("已送达", "delivered"),
    "command.acknowledged": ("已确认", "acknowledged"),
    # review levels (三审)
    "level.first": ("初审", "First review"),
    "level.second": ("复审", "Second review"),
    "level.final": ("终审", "Final review"),
    "level_short.first": ("初审", "First"),
    "level_short.second": ("复审", "Second"),
    "level_short.final": ("终审", "Final"),
    # console
    "console.plan": ("选题策划", "Plan an assignment"),
    "console.title": ("标题", "Title"),
    "console.brief": ("要求", "Brief"),
    "console.location": ("地点", "Location"),
    "console.lat": ("纬度", "Latitude"),
    "console.lon": ("经度", "Longitude"),
    "console.priority": ("优先级", "Priority"),
    "console.due": ("截止时间", "Due"),
    "console.channels": ("发布渠道", "Channels"),
    "console.create": ("创建任务", "Create"),
    "console.assign": ("派单", "Assign"),
    "console.reporter": ("记者", "Reporter"),
    "console.close": ("完成", "Close"),
    "console.cancel": ("取消任务", "Cancel"),
    "console.reason": ("原因", "Reason"),
    "console.command": ("下达指令", "Send a command"),
    "console.to": ("接收人", "To"),
    "console.about": ("关联任务", "Assignment"),
    "console.none": ("（无）", "(none)"),
    "console.text": ("指令内容", "Instruction"),
    "console.send": ("发送", "Send"),
    "console.sent": ("已发指令", "Commands sent"),
    "console.sources": ("直播信号", "Live sources"),
    "console.outputs": ("主输出切换", "Program switcher"),
    "console.switch": ("切到", "Take"),
    "console.backup": ("备路", "backup"),
    "console.preview": ("预监", "PVW"),
    "console.done": ("已完成", "Done"),
    "console.failed": ("失败", "Failed"),
    # reporter
    "reporter.commands": ("调度指令", "Commands"),
    "reporter.ack": ("收到", "Got it"),
    "reporter.mine": ("我的任务", "My assignments"),
    "reporter.none": ("暂无任务", "No assignments"),
    "reporter.accept": ("接单", "Accept"),
    "reporter.decline": ("拒单", "Decline"),
    "reporter.decline_reason": ("拒单原因", "Why you decline"),
    "reporter.check_in": ("到达签到", "Check in"),
    "reporter.locating": ("正在定位…", "Finding your position…"),
    "reporter.no_location": ("无法获取位置", "Could not get your position"),
    "reporter.file": ("交稿", "File"),
    "reporter.upload": ("上传素材", "Upload photo or clip"),
    "reporter.uploading": ("上传中", "Uploading"),
    "reporter.uploaded": ("已上传", "Uploaded"),
    "reporter.resuming": ("网络中断，正在续传…", "Connection lost; resuming…"),
    "reporter.go_live": ("直播", "Go live"),
    "reporter.stop_live": ("结束直播", "Stop"),
    "reporter.no_source": ("没有分配给你的直播信号", "No live source is registered to you"),
    "reporter.retrying": ("网络不稳，正在重试…", "Network trouble; retrying…"),
    "reporter.due": ("截止", "Due"),
    # review
    "review.queue": ("待审稿件", "Waiting for you"),
    "review.empty": ("暂无待审稿件", "Nothing waiting"),
    "review.version": ("版本", "Version"),
    "review.changes": ("修改对比", "Changes"),
    "review.approve": ("通过", "Approve"),
    "review.reject": ("退回", "Reject"),
    "review.reason": ("意见", "Reason"),
    "review.reason_needed": ("退回须写明原因", "Say why you reject it"),
    "review.history": ("审核记录", "Review history"),
    "review.pick": ("请选择一篇稿件", "Pick a story"),
    "review.captures": ("素材", "Captures"),
    "review.no_captures": ("本稿未使用素材", "This story uses no captures"),
    "review.capture_added": ("本版新增", "New in this version"),
    "review.capture_removed": ("本版删去", "Dropped in this version"),
    "capture.upload": ("上传", "Upload"),
    "reporter.captures": ("我的素材", "My captures"),
    "reporter.no_captures": ("还没有素材：上传照片视频或开始直播", "None yet: upload, or go live"),
    "reporter.used_in": ("已用于稿件", "Used in stories:"),
    "reporter.refused": ("未收下", "Not kept"),
    "reporter.unknown_type": ("无法识别的文件类型", "a kind of file the hub does not recognise"),
    "reporter.refused_type": ("不收此类文件", "the hub keeps no files of type"),
    "reporter.kept_types": ("只收照片、视频、音频和文档", "photos, video, audio, documents only"),
    "capture.recording": ("直播录像", "Live recording"),
    # audit
    "audit.filter": ("筛选", "Filter"),
    "audit.actor": ("人员", "Person"),
    "audit.subject": ("任务或稿件编号", "Assignment or story id"),
    "audit.apply": ("查询", "Search"),
    "audit.time": ("时间", "Time"),
    "audit.action": ("动作", "Action"),
    "audit.summary": ("内容", "What"),
    "audit.reason": ("原因", "Reason"),
    "audit.scrub": ("拖动回溯大屏", "Scrub to see the wall as it was"),
    "audit.export": ("导出", "Export"),
    "audit.events": ("事件日志", "Event log"),
    "audit.empty": ("没有记录", "Nothing found"),
    "audit.open_wall": ("在大屏打开", "Open on the wall"),
    # actions
    "error": ("出错了", "Something went wrong"),
}


def _table(index: int) -> Mapping[str, str]:
    table = {key: pair[index] for key, pair in WORDS.items()}
    names = CHANNELS if index == 0 else CHANNELS_EN
    table.update({f"channel.{key}": label for key, label in names.items()})
    table.update({f"channel_short.{key}": pair[index] for key, pair in SHORT_CHANNELS.items()})
    return MappingProxyType(table)


LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {lang: _table(i) for i, lang in enumerate(LANGUAGES)}
)


def chosen_language(conn: HTTPConnection) -> tuple[str, bool]:
    """The page's language, and whether the query asked for it (so the cookie should follow)."""
    asked = conn.query_params.get("lang")
    if asked in LANGUAGES:
        return asked, True
    cookie = conn.cookies.get(COOKIE)
    if cookie in LANGUAGES:
        return cookie, False
    return DEFAULT_LANGUAGE, False


def labels(lang: str) -> Mapping[str, str]:
    return LABELS.get(lang, LABELS[DEFAULT_LANGUAGE])


def other_language(lang: str) -> str:
    return "en" if lang == "zh" else "zh"

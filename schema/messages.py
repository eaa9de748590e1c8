"""Error messages in the caller's language: English, or Vietnamese when `Accept-Language`
prefers it. Codes (`extensions.code`) never change; only the words do.

The use cases raise English messages (one language in the code, as everywhere); the
Vietnamese wording is kept here as a table of message shapes, matched in order, with the
varying parts (a code, a field, a date) carried over. A message with no shape here is
answered in English: a missing translation costs a word, never the error.
"""

from __future__ import annotations

import re
from functools import lru_cache

SUPPORTED = ("en", "vi")

# (English message shape, Vietnamese template); named groups are carried over.
_SHAPES: tuple[tuple[str, str], ...] = (
    # input checks (resolvers/validation.py and the use cases)
    (r"(?P<f>[\w.]+) is required", "{f} là bắt buộc"),
    (r"(?P<f>[\w.]+) must not contain control characters", "{f} không được chứa ký tự điều khiển"),
    (r"(?P<f>[\w.]+) must be at most (?P<n>\d+) characters", "{f} dài tối đa {n} ký tự"),
    (r"(?P<f>[\w.]+) must not be empty", "{f} không được để trống"),
    (r"(?P<f>[\w.]+) must be (?P<n>[\d or]+) digits", "{f} phải gồm {n} chữ số"),
    (r"(?P<f>[\w.]+) must be a Vietnamese phone number", "{f} phải là số điện thoại Việt Nam"),
    (r"(?P<f>[\w.]+) must be between (?P<a>\S+) and (?P<b>\S+)", "{f} phải trong khoảng {a} đến {b}"),
    (r"(?P<f>[\w.]+) is not a valid cursor", "{f} không phải con trỏ trang hợp lệ"),
    (r"(?P<f>[\w.]+) comes from a page in another order: send the orderBy of the page it came "
     r"from", "{f} thuộc một trang theo thứ tự khác: hãy gửi orderBy của trang đó"),
    (r"(?P<f>[\w.]+) must be a date \(YYYY-MM-DD\) or an ISO date-time",
     "{f} phải là ngày (YYYY-MM-DD) hoặc thời điểm ISO 8601"),
    (r"(?P<f>\w+) must be a date \(YYYY-MM-DD\)", "{f} phải là ngày (YYYY-MM-DD)"),
    (r"(?P<f>[\w.]+) must be a short identifier", "{f} phải là một định danh ngắn"),
    (r"(?P<f>[\w.]+) must carry a time zone offset", "{f} phải ghi múi giờ"),
    (r"receivedAt must not be in the future", "receivedAt không được ở tương lai"),
    (r"(?P<f>[\w.]+) must not be after (?P<g>\w+)", "{f} không được sau {g}"),
    (r"to must not be before from", "to không được trước from"),
    (r"unknown unit (?P<x>.+?) on (?P<d>\S+)", "không có đơn vị {x} vào ngày {d}"),
    (r"(?P<f>[\w.]+): unknown unit (?P<x>.+)", "{f}: không có đơn vị {x}"),
    (r"unknown unit (?P<x>.+)", "không có đơn vị {x}"),
    (r"unknown procedure (?P<x>.+)", "không có thủ tục {x}"),
    (r"unknown role (?P<x>\S+); known: (?P<k>.+)", "không có vai trò {x}; các vai trò: {k}"),
    (r"unitCode is required", "cần unitCode"),
    (r"format must be xlsx or csv", "định dạng phải là xlsx hoặc csv"),
    (r"rating must be between 1 and 5", "điểm đánh giá phải từ 1 đến 5"),
    (r"outcome must be one of (?P<x>.+)", "outcome phải là một trong {x}"),
    (r"the period must be at most five years", "khoảng thời gian tối đa năm năm"),
    # dossiers
    (r"dossier (?P<x>\S+) not found", "không tìm thấy hồ sơ {x}"),
    (r"cannot (?P<a>\w+) a dossier in status (?P<s>\w+)(?P<p> \(not yet accepted\))?; "
     r"allowed: (?P<k>.+)", "không thể {a} hồ sơ ở trạng thái {s}{p}; được phép: {k}"),
    (r"(?P<a>\w+) needs the reason written to the applicant in `note`",
     "{a} cần ghi lý do gửi người nộp trong `note`"),
    (r"dossier (?P<x>\S+) was changed by someone else; reload and retry",
     "hồ sơ {x} vừa được người khác thay đổi; hãy tải lại và thử lại"),
    (r"dossier (?P<x>\S+) is at version (?P<v>\d+), not (?P<w>\d+)",
     "hồ sơ {x} đang ở phiên bản {v}, không phải {w}"),
    (r"dossier (?P<x>\S+) was already extended on (?P<d>\S+); the new appointment is set once",
     "hồ sơ {x} đã được gia hạn ngày {d}; ngày hẹn mới chỉ đặt một lần"),
    (r"only a dossier in processing can be extended; it is (?P<s>\w+)",
     "chỉ gia hạn được hồ sơ đang giải quyết; hồ sơ đang ở trạng thái {s}"),
    (r"no apology letter while a supplement is outstanding.*",
     "không phát hành phiếu xin lỗi khi đang chờ bổ sung hồ sơ: thời hạn được tính lại khi "
     "nhận đủ hồ sơ"),
    (r"the apology letter is due at the latest the day before the appointment (?P<d>\S+).*",
     "phiếu xin lỗi phải phát hành chậm nhất một ngày trước ngày hẹn {d} (Điều 19 khoản 6 "
     "Nghị định 118/2025/NĐ-CP); ngày đó đã qua"),
    (r"newDueAt must be after the current appointment (?P<d>\S+)",
     "newDueAt phải sau ngày hẹn hiện tại {d}"),
    (r"newDueAt (?P<d>\S+) is not a working day", "newDueAt {d} không phải ngày làm việc"),
    (r"resultElectronic is given with FINISH only", "resultElectronic chỉ đi kèm FINISH"),
    (r"procedure (?P<p>\S+) is handled at (?P<l>\w+) level, not by a (?P<u>\w+) unit",
     "thủ tục {p} do cấp {l} giải quyết, không phải đơn vị cấp {u}"),
    (r"idempotencyKey was already used for a different dossier",
     "idempotencyKey đã được dùng cho một hồ sơ khác"),
    (r"an online dossier is accepted by the desk after it arrives.*",
     "hồ sơ trực tuyến do bộ phận một cửa tiếp nhận sau khi nộp (ACCEPT), không phải lúc nộp"),
    (r"unit (?P<u>\S+) has no receiving agency", "đơn vị {u} không có cơ quan tiếp nhận"),
    (r"desk (?P<d>\S+) receives only for units of its own province.*",
     "bộ phận một cửa {d} chỉ tiếp nhận cho các đơn vị trong tỉnh (Điều 14 khoản 2 Nghị định "
     "118/2025/NĐ-CP)"),
    (r"you receive at several desks: give deskCode", "bạn tiếp nhận ở nhiều nơi: hãy ghi deskCode"),
    (r"your desk's unit no longer exists: give deskCode",
     "đơn vị tiếp nhận của bạn không còn: hãy ghi deskCode"),
    (r"receivedAt (?P<d>\S+) is before unit (?P<u>\S+) existed.*",
     "ngày tiếp nhận {d} trước khi đơn vị {u} được thành lập"),
    (r"dossier (?P<x>\S+) is not awaiting assignment", "hồ sơ {x} không chờ phân công"),
    (r"no dossier (?P<x>\S+) at unit (?P<u>\S+)", "không có hồ sơ {x} tại đơn vị {u}"),
    # feedback
    (r"feedback (?P<x>\S+) not found", "không tìm thấy phản ánh {x}"),
    (r"feedback (?P<x>\S+) is a rating, not a complaint", "phản ánh {x} là đánh giá, không phải khiếu nại"),
    (r"complaint (?P<x>\S+) has already been handled", "phản ánh {x} đã được trả lời"),
    (r"complaint (?P<x>\S+) has not been answered yet", "phản ánh {x} chưa được trả lời"),
    (r"complaint (?P<x>\S+) already has a verdict", "phản ánh {x} đã có ý kiến đánh giá"),
    (r"feedbackId is not a valid id", "feedbackId không hợp lệ"),
    (r"too many failed attempts on this (?P<k>\w+); retry in (?P<s>\d+) s",
     "quá nhiều lần thử sai; hãy thử lại sau {s} giây"),
    # identity and access
    (r"invalid username or password", "tên đăng nhập hoặc mật khẩu không đúng"),
    (r"too many failed logins; retry in (?P<s>\d+) s",
     "đăng nhập sai quá nhiều lần; hãy thử lại sau {s} giây"),
    (r"too many requests; retry in (?P<s>\d+) s", "quá nhiều yêu cầu; hãy thử lại sau {s} giây"),
    (r"not allowed to (?P<a>\S+) (?P<o>\S+)", "không có quyền {a} đối với {o}"),
    (r"no longer allowed to read dossiers of this unit",
     "không còn quyền xem hồ sơ của đơn vị này"),
    (r"log in first", "hãy đăng nhập trước"),
    (r"session ended; log in again", "phiên đã kết thúc; hãy đăng nhập lại"),
    (r"refresh token already used; session revoked",
     "refresh token đã được dùng; phiên đăng nhập bị thu hồi"),
    (r"token revoked", "token đã bị thu hồi"),
    (r"Token has expired", "token đã hết hạn"),
    (r"Token is not yet valid", "token chưa có hiệu lực"),
    (r"Malformed token", "token sai định dạng"),
    (r"Invalid token.*", "token không hợp lệ"),
    (r"Token is missing a required claim", "token thiếu thông tin bắt buộc"),
    (r"Unknown signing key", "khóa ký không xác định"),
    (r"Wrong token type", "sai loại token"),
    (r"Authorization must be 'Bearer <token>'", "Authorization phải có dạng 'Bearer <token>'"),
    (r"invalid, expired or revoked partner token",
     "token đối tác không hợp lệ, đã hết hạn hoặc bị thu hồi"),
    (r"this token may send persisted operations only",
     "token này chỉ được gửi các thao tác đã đăng ký trước"),
    (r"user (?P<u>\S+) already exists", "người dùng {u} đã tồn tại"),
    (r"user (?P<u>\S+) not found", "không tìm thấy người dùng {u}"),
    (r"(?P<u>\S+) does not hold (?P<r>\S+) at (?P<c>\S+)", "{u} không giữ vai trò {r} tại {c}"),
    (r"username must be 3–64 .*", "tên đăng nhập gồm 3–64 chữ thường, chữ số, '.', '_' hoặc '-'"),
    (r"password must be (?P<n>\S+) characters", "mật khẩu phải dài {n} ký tự"),
    (r"the policy already says so", "chính sách đã có quy định này"),
    (r"partner token (?P<x>\S+) not found", "không tìm thấy token đối tác {x}"),
    (r"a token cannot do more than its issuer.*", "token không thể có quyền vượt quá người cấp"),
    (r"anonymous callers may only be given the public actions.*",
     "người dùng ẩn danh chỉ được các quyền công khai"),
    (r"role must be an upper-case role name such as CLERK",
     "vai trò phải là tên viết hoa, ví dụ CLERK"),
    (r"scopes must be some of (?P<s>.+?); unknown: (?P<u>.+)",
     "scopes phải thuộc {s}; không hợp lệ: {u}"),
    (r"allowedOperations must be up to 200 SHA-256 hex digests",
     "allowedOperations gồm tối đa 200 mã SHA-256 (hex)"),
    (r"token signing is not configured", "chưa cấu hình khóa ký token"),
    (r"metrics are served to the configured scrapers only",
     "số liệu giám sát chỉ cấp cho các máy thu đã cấu hình"),
    (r"at most (?P<n>\d+) subscriptions per connection", "mỗi kết nối tối đa {n} đăng ký theo dõi"),
    (r"at most (?P<n>\d+) open subscriptions per caller",
     "mỗi người dùng tối đa {n} đăng ký theo dõi đang mở"),
    # units and their reorganisation
    (r"before 1 July 2025 \(Decree 61/2018\) a unit received only its own dossiers",
     "trước ngày 01/7/2025 (Nghị định 61/2018) đơn vị chỉ tiếp nhận hồ sơ của chính mình"),
    (r"the plan has no rows", "kế hoạch không có dòng nào"),
    (r"the units changed while the plan was applied.*",
     "các đơn vị đã thay đổi trong khi áp dụng kế hoạch; không có gì thay đổi, hãy chạy lại"),
    (r"(?P<u>\S+) is not a successor of the split unit \(one of: (?P<k>.+)\)",
     "{u} không phải đơn vị kế thừa của đơn vị bị chia tách (một trong: {k})"),
    (r"(?P<f>[\w.]+) must lie between (?P<a>\S+) and (?P<b>\S+)", "{f} phải từ {a} đến {b}"),
    (r"(?P<f>[\w.]+): (?P<u>\w+) takes an amount from 0 to (?P<n>\S+), not (?P<x>\S+)",
     "{f}: đơn vị {u} nhận số lượng từ 0 đến {n}, không phải {x}"),
    # the audit trail's partitions
    (r"the trail is one table on this database: there is no month to archive",
     "nhật ký là một bảng trên cơ sở dữ liệu này: không có tháng nào để lưu trữ"),
    (r"only a month before the current one can be archived",
     "chỉ lưu trữ được tháng trước tháng hiện tại"),
    (r"no attached partition holds (?P<m>\S+)", "không có phân vùng nào chứa tháng {m}"),
    (r"archive the oldest month first \((?P<m>\S+)\)", "hãy lưu trữ tháng cũ nhất trước ({m})"),
    (r"entries of that month or before wait in the DEFAULT partition.*",
     "các bản ghi của tháng đó đang nằm ở phân vùng DEFAULT: hãy chạy `app.py audit "
     "partitions` trước"),
    (r"the trail does not verify \((?P<p>.+)\): nothing is archived until that is explained",
     "nhật ký không kiểm tra được ({p}): chưa lưu trữ gì cho đến khi làm rõ"),
    (r"the chain's archived start was altered", "điểm đầu đã lưu trữ của chuỗi bị thay đổi"),
    (r"a checkpoint looks like 1234:<64 hexadecimal digits> \(2/1234:<…> in lane 2\), "
     r"several joined by commas",
     "điểm kiểm tra có dạng 1234:<64 chữ số thập lục phân> (2/1234:<…> ở làn 2), nhiều điểm "
     "cách nhau bởi dấu phẩy"),
    (r"the archived entries do not end where the trail resumes \(seq (?P<n>\S+)\).*",
     "các bản ghi đã lưu trữ không khớp với điểm tiếp nối của nhật ký (seq {n})"),
    # the edge's own checks of a body
    (r"the body is not a GraphQL JSON request in UTF-8",
     "nội dung không phải yêu cầu GraphQL dạng JSON (UTF-8)"),
    (r"a string holds an unpaired surrogate.*",
     "một chuỗi chứa ký tự surrogate lẻ: không phải văn bản Unicode"),
    # calendar
    (r"no calendar override on (?P<d>\S+)", "không có ngày điều chỉnh {d} trong lịch"),
    (r"(?P<d>\S+) was just set by someone else; reload and retry",
     "ngày {d} vừa được người khác đặt; hãy tải lại và thử lại"),
    # the edge and the database
    (r"request body too large", "nội dung yêu cầu quá lớn"),
    (r"(?P<m>\w+) takes application/json", "{m} chỉ nhận application/json"),
    (r"the body is not a GraphQL JSON request", "nội dung không phải yêu cầu GraphQL dạng JSON"),
    (r"at most (?P<n>\d+) operations in a batch", "mỗi lô tối đa {n} thao tác"),
    (r"the database is unavailable; retry in (?P<s>\d+) s",
     "cơ sở dữ liệu tạm thời không truy cập được; hãy thử lại sau {s} giây"),
    (r"the database is unavailable; retry later",
     "cơ sở dữ liệu tạm thời không truy cập được; hãy thử lại sau"),
    (r"internal error; request id (?P<r>\S+)", "lỗi nội bộ; mã yêu cầu {r}"),
    (r"audit trail unavailable; request id (?P<r>\S+)", "nhật ký kiểm tra không ghi được; mã yêu cầu {r}"),
    # query limits (schema/limits.py)
    (r"query depth (?P<a>\d+) exceeds the limit of (?P<b>\d+)", "độ sâu truy vấn {a} vượt giới hạn {b}"),
    (r"(?P<a>\d+) aliases exceed the limit of (?P<b>\d+)", "{a} bí danh vượt giới hạn {b}"),
    (r"query cost (?P<a>\d+) exceeds the budget of (?P<b>\d+)", "chi phí truy vấn {a} vượt mức {b}"),
    # GraphQL's own (graphql-core): the commonest, the rest stays English
    (r"Cannot query field '(?P<f>[^']+)' on type '(?P<t>[^']+)'\.?",
     "không có trường '{f}' trong kiểu '{t}'"),
    (r"Syntax Error: (?P<x>.+)", "lỗi cú pháp: {x}"),
    (r"Variable '(?P<v>[^']+)' of required type '(?P<t>[^']+)' was not provided\.?",
     "chưa cung cấp biến '{v}' (kiểu '{t}')"),
    (r"Field '(?P<f>[^']+)' argument '(?P<a>[^']+)' of type '(?P<t>[^']+)' is required, but it "
     r"was not provided\.?", "trường '{f}' cần đối số '{a}' (kiểu '{t}')"),
    # scorecard inputs (resolvers/dossiers/late.py, resolvers/targets.py, resolvers/publication.py)
    (r"cause must be one of (?P<x>.+)", "cause phải là một trong {x}"),
    (r"dossier (?P<x>\S+) is not late \((?P<t>\w+)\): a late cause is recorded only for a late "
     r"or overdue dossier", "hồ sơ {x} không trễ hạn ({t}): chỉ ghi nguyên nhân trễ hạn cho hồ sơ "
     "trễ hạn hoặc quá hạn"),
    (r"unknown indicator (?P<x>.+?); known: (?P<k>.+)", "không có chỉ số {x}; các chỉ số: {k}"),
    (r"unit (?P<x>.+?) did not exist in (?P<y>\d+)", "đơn vị {x} không tồn tại trong năm {y}"),
    (r"input must change at least one fact", "input phải thay đổi ít nhất một thông tin"),
    (r"procedure (?P<x>\S+) has no fee to pay online",
     "thủ tục {x} không có phí, lệ phí để thanh toán trực tuyến"),
    (r"postal staff receive at a desk, not online",
     "nhân viên bưu điện tiếp nhận tại bộ phận một cửa, không tiếp nhận trực tuyến"),
    # the scorecard's satisfaction levels (resolvers/feedback.py)
    (r"give satisfaction or rating, not both", "chỉ ghi satisfaction hoặc rating, không ghi cả hai"),
    (r"satisfaction must be VERY_SATISFIED, SATISFIED or NOT_SATISFIED",
     "satisfaction phải là VERY_SATISFIED, SATISFIED hoặc NOT_SATISFIED"),
)
_COMPILED = tuple((re.compile(shape, re.DOTALL), template) for shape, template in _SHAPES)


def language(accept_language: str | None) -> str:
    """The supported language the caller prefers most (`vi-VN,vi;q=0.9,en;q=0.5` → "vi");
    English when nothing supported is asked for."""
    best, best_q = "en", -1.0
    for part in (accept_language or "").split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        code = tag.strip().lower().split("-")[0]
        if code not in SUPPORTED:
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > best_q:
            best, best_q = code, q
    return best


# Where a reorganisation plan went wrong prefixes its message ("line 7: …", "rows[6]: …").
_WHERE = re.compile(r"(?:line (?P<line>\d+)|rows\[(?P<row>\d+)\]|plan): (?P<rest>.+)", re.DOTALL)


@lru_cache(maxsize=1024)
def translate(message: str, lang: str) -> str:
    """`message` in `lang`: unchanged in English, or its Vietnamese shape when there is one."""
    if lang != "vi":
        return message
    where = _WHERE.fullmatch(message)
    if where:
        place = (f"dòng {where['line']}" if where["line"] else
                 f"rows[{where['row']}]" if where["row"] else "kế hoạch")
        return f"{place}: {translate(where['rest'], lang)}"
    for pattern, template in _COMPILED:
        found = pattern.fullmatch(message)
        if found:
            return template.format(**{k: v or "" for k, v in found.groupdict().items()})
    return message

// Words of the console: Vietnamese first, English available; the choice is remembered.

const WORDS = {
  vi: {
    title: "Nhật ký kiểm tra",
    loading: "Đang tải…",
    "nav.audit": "Nhật ký",
    "nav.dossier": "Hồ sơ",
    signIn: "Đăng nhập",
    signOut: "Đăng xuất",
    username: "Tài khoản",
    password: "Mật khẩu",
    "signIn.intro": "Đăng nhập bằng tài khoản thanh tra của đơn vị.",
    "filter.actor": "Người thực hiện",
    "filter.action": "Hành động",
    "filter.objectType": "Loại đối tượng",
    "filter.objectId": "Mã đối tượng",
    "filter.unit": "Đơn vị",
    "filter.outcome": "Kết quả",
    "filter.from": "Từ ngày",
    "filter.to": "Đến ngày",
    "filter.any": "Tất cả",
    search: "Tìm kiếm",
    clear: "Xoá bộ lọc",
    export: "Xuất CSV",
    exported: "Đã tải xuống {file}.",
    "col.at": "Thời gian",
    "col.actor": "Người thực hiện",
    "col.action": "Hành động",
    "col.object": "Đối tượng",
    "col.unit": "Đơn vị",
    "col.outcome": "Kết quả",
    noEntries: "Không có bản ghi nào khớp với bộ lọc.",
    previous: "← Trang trước",
    next: "Trang sau →",
    page: "Trang {n}",
    "outcome.ALLOWED": "Được phép",
    "outcome.DENIED": "Bị từ chối",
    "outcome.ERROR": "Lỗi",
    "entry.title": "Bản ghi #{id}",
    "entry.seq": "Số thứ tự trong chuỗi",
    "entry.at": "Thời gian",
    "entry.actor": "Người thực hiện",
    "entry.roles": "Vai trò",
    "entry.kind": "Loại tài khoản",
    "entry.action": "Hành động",
    "entry.object": "Đối tượng",
    "entry.unit": "Đơn vị",
    "entry.outcome": "Kết quả",
    "entry.reason": "Lý do",
    "entry.operation": "Thao tác",
    "entry.request": "Mã yêu cầu",
    "entry.address": "Địa chỉ máy",
    "entry.occurrences": "Số lần",
    "entry.changes": "Thay đổi",
    "entry.noChanges": "Không có thay đổi dữ liệu.",
    "entry.field": "Trường",
    "entry.old": "Giá trị cũ",
    "entry.new": "Giá trị mới",
    "entry.dossier": "Xem lịch sử hồ sơ {code}",
    close: "Đóng",
    "chain.ok": "Chuỗi nhật ký toàn vẹn ({n} bản ghi)",
    "chain.okArchived": "Chuỗi nhật ký toàn vẹn ({n} bản ghi; {a} bản ghi trước đó đã lưu trữ)",
    "chain.broken": "Chuỗi nhật ký đã bị sửa đổi: bản ghi #{id} ({problem})",
    "chain.brokenNoId": "Chuỗi nhật ký đã bị sửa đổi ({problem})",
    "chain.check": "Kiểm tra lại",
    "chain.checking": "Đang kiểm tra chuỗi…",
    "dossier.code": "Mã hồ sơ",
    "dossier.open": "Xem",
    "dossier.prompt": "Nhập mã hồ sơ (ví dụ UB20335-240603-0001) để xem toàn bộ lịch sử.",
    "dossier.notFound": "Không tìm thấy hồ sơ {code} trong phạm vi của bạn.",
    "dossier.procedure": "Thủ tục",
    "dossier.unit": "Đơn vị",
    "dossier.status": "Trạng thái",
    "dossier.receivedAt": "Ngày tiếp nhận",
    "dossier.dueAt": "Hẹn trả",
    "dossier.finishedAt": "Hoàn thành",
    "dossier.timeliness": "Tiến độ",
    "dossier.timeline": "Diễn biến xử lý",
    "dossier.history": "Nhật ký kiểm tra của hồ sơ",
    "dossier.noEvents": "Chưa có bước xử lý nào.",
    "error.UNAUTHENTICATED": "Sai tài khoản hoặc mật khẩu, hoặc phiên đăng nhập đã hết hạn.",
    "error.FORBIDDEN": "Tài khoản này không có quyền xem nhật ký kiểm tra.",
    "error.RATE_LIMITED": "Quá nhiều yêu cầu; vui lòng thử lại sau ít phút.",
    "error.BAD_USER_INPUT": "Dữ liệu không hợp lệ: {message}",
    "error.SERVICE_UNAVAILABLE": "Hệ thống tạm thời không truy cập được cơ sở dữ liệu; vui lòng thử lại.",
    "error.NETWORK": "Không kết nối được với máy chủ.",
    "error.other": "Có lỗi xảy ra: {message}",
  },
  en: {
    title: "Audit trail",
    loading: "Loading…",
    "nav.audit": "Audit trail",
    "nav.dossier": "Dossiers",
    signIn: "Sign in",
    signOut: "Sign out",
    username: "Username",
    password: "Password",
    "signIn.intro": "Sign in with your unit's inspector account.",
    "filter.actor": "Actor",
    "filter.action": "Action",
    "filter.objectType": "Object type",
    "filter.objectId": "Object id",
    "filter.unit": "Unit",
    "filter.outcome": "Outcome",
    "filter.from": "From",
    "filter.to": "To",
    "filter.any": "Any",
    search: "Search",
    clear: "Clear filters",
    export: "Export CSV",
    exported: "Downloaded {file}.",
    "col.at": "Time",
    "col.actor": "Actor",
    "col.action": "Action",
    "col.object": "Object",
    "col.unit": "Unit",
    "col.outcome": "Outcome",
    noEntries: "No entry matches these filters.",
    previous: "← Previous page",
    next: "Next page →",
    page: "Page {n}",
    "outcome.ALLOWED": "Allowed",
    "outcome.DENIED": "Denied",
    "outcome.ERROR": "Error",
    "entry.title": "Entry #{id}",
    "entry.seq": "Position in the chain",
    "entry.at": "Time",
    "entry.actor": "Actor",
    "entry.roles": "Roles",
    "entry.kind": "Account kind",
    "entry.action": "Action",
    "entry.object": "Object",
    "entry.unit": "Unit",
    "entry.outcome": "Outcome",
    "entry.reason": "Reason",
    "entry.operation": "Operation",
    "entry.request": "Request id",
    "entry.address": "Client address",
    "entry.occurrences": "Occurrences",
    "entry.changes": "Changes",
    "entry.noChanges": "No data was changed.",
    "entry.field": "Field",
    "entry.old": "Old value",
    "entry.new": "New value",
    "entry.dossier": "Open the history of dossier {code}",
    close: "Close",
    "chain.ok": "Audit chain intact ({n} entries)",
    "chain.okArchived": "Audit chain intact ({n} entries; {a} earlier ones archived)",
    "chain.broken": "Audit chain altered: entry #{id} ({problem})",
    "chain.brokenNoId": "Audit chain altered ({problem})",
    "chain.check": "Check again",
    "chain.checking": "Checking the chain…",
    "dossier.code": "Dossier code",
    "dossier.open": "Open",
    "dossier.prompt": "Enter a dossier code (e.g. UB20335-240603-0001) to see its whole history.",
    "dossier.notFound": "No dossier {code} in your jurisdiction.",
    "dossier.procedure": "Procedure",
    "dossier.unit": "Unit",
    "dossier.status": "Status",
    "dossier.receivedAt": "Received",
    "dossier.dueAt": "Due",
    "dossier.finishedAt": "Finished",
    "dossier.timeliness": "Timeliness",
    "dossier.timeline": "Timeline",
    "dossier.history": "The dossier's audit trail",
    "dossier.noEvents": "No processing step yet.",
    "error.UNAUTHENTICATED": "Wrong username or password, or the session has expired.",
    "error.FORBIDDEN": "This account may not read the audit trail.",
    "error.RATE_LIMITED": "Too many requests; please retry in a few minutes.",
    "error.BAD_USER_INPUT": "Invalid input: {message}",
    "error.SERVICE_UNAVAILABLE": "The database cannot be reached right now; please retry.",
    "error.NETWORK": "The server cannot be reached.",
    "error.other": "Something went wrong: {message}",
  },
};

// Names of actions, statuses and timeliness as people in a one-stop office say them.
const TERMS = {
  vi: {
    "dossier:receive": "Tiếp nhận hồ sơ",
    "dossier:RECEIVE": "Tiếp nhận hồ sơ",
    "dossier:ACCEPT": "Chấp nhận hồ sơ trực tuyến",
    "dossier:REFUSE": "Từ chối hồ sơ",
    "dossier:START_PROCESSING": "Bắt đầu xử lý",
    "dossier:REQUEST_SUPPLEMENT": "Yêu cầu bổ sung",
    "dossier:SUPPLEMENT": "Nhận bổ sung",
    "dossier:REQUEST_PAYMENT": "Yêu cầu nộp phí",
    "dossier:CONFIRM_PAYMENT": "Xác nhận nộp phí",
    "dossier:FINISH": "Hoàn thành xử lý",
    "dossier:STOP": "Dừng xử lý",
    "dossier:WITHDRAW": "Rút hồ sơ",
    "dossier:RETURN_RESULT": "Trả kết quả",
    "dossier:EXTEND": "Gia hạn (thư xin lỗi)",
    "dossier:PORTAL_SYNC": "Đồng bộ Cổng dịch vụ công",
    "feedback:submit": "Gửi phản ánh, kiến nghị",
    "feedback:handle": "Trả lời phản ánh",
    "feedback:rate": "Đánh giá hài lòng",
    "feedback:satisfaction": "Ghi nhận mức hài lòng",
    login: "Đăng nhập",
    logout: "Đăng xuất",
    "token:refresh": "Gia hạn phiên đăng nhập",
    "session:revoke": "Thu hồi phiên (token bị dùng lại)",
    "audit:export": "Xuất nhật ký",
    "report:weekly": "Tải báo cáo tuần",
    "role:grant": "Cấp vai trò",
    "role:revoke": "Thu hồi vai trò",
    "user:create": "Tạo tài khoản",
    "partner_token:issue": "Cấp mã kết nối đối tác",
    "partner_token:revoke": "Thu hồi mã kết nối đối tác",
    "graphql:invalid": "Yêu cầu không hợp lệ",
    "graphql:refused": "Yêu cầu bị chặn",
    NEW: "Mới nộp trực tuyến",
    RECEIVED: "Đã tiếp nhận",
    NOT_ACCEPTED: "Không tiếp nhận",
    IN_PROCESSING: "Đang xử lý",
    SUPPLEMENT_REQUESTED: "Chờ bổ sung",
    PAYMENT_REQUESTED: "Chờ nộp phí",
    WITHDRAWN: "Đã rút",
    STOPPED: "Dừng xử lý",
    FINISHED: "Đã có kết quả",
    RETURNED: "Đã trả kết quả",
    EARLY: "Trước hạn",
    ON_TIME: "Đúng hạn",
    LATE: "Trễ hạn",
    PENDING: "Trong hạn",
    OVERDUE: "Quá hạn",
  },
  en: {
    EARLY: "Early",
    ON_TIME: "On time",
    LATE: "Late",
    PENDING: "Within deadline",
    OVERDUE: "Overdue",
  },
};

const STORED = "motcua.language";
let current = localStorage.getItem(STORED) === "en" ? "en" : "vi";

export function language() { return current; }

export function setLanguage(value) {
  current = value === "en" ? "en" : "vi";
  localStorage.setItem(STORED, current);
  document.documentElement.lang = current;
}

/** The phrase for `key` in the current language, with {name} placeholders filled in. */
export function t(key, params = {}) {
  const phrase = WORDS[current][key] ?? WORDS.vi[key] ?? key;
  return phrase.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

const KINDS = {
  vi: { query: "Xem", mutation: "Thao tác", http: "Bị chặn ở cổng HTTP", policy: "Sửa chính sách" },
  en: {},
};

/** A domain term (action, status) in words, or the term itself when it has none. */
export function term(value) {
  if (value == null) return "";
  return TERMS[current][value] ?? value;
}

/** An action in words, keeping the action itself beside it (it is what filters match). */
export function actionLabel(action) {
  const named = TERMS[current][action];
  if (named) return `${named} (${action})`;
  const kind = KINDS[current][action.split(":")[0]];
  return kind ? `${kind} (${action})` : action;
}

/** The words for an API error (by its code). */
export function problem(error) {
  const key = `error.${error.code}`;
  return WORDS[current][key] ? t(key, { message: error.message }) : t("error.other", { message: error.message });
}

const CLOCK = { timeZone: "Asia/Ho_Chi_Minh" };

/** An instant as a local time in Vietnam (UTC+7), whatever the browser's own zone. */
export function localTime(iso) {
  if (!iso) return "";
  const format = new Intl.DateTimeFormat(current === "vi" ? "vi-VN" : "en-GB", {
    ...CLOCK, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
  });
  return format.format(new Date(iso));
}

/** Fill every element carrying data-i18n with its phrase. */
export function translate(root = document) {
  for (const element of root.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
}

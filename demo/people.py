"""Name and contact material for generating realistic synthetic Vietnamese applicants.

Every person generated from this material is fictitious. Family-name weights
are approximate percentages of the population, from commonly cited surname
surveys. Nguyễn is about 38%, Trần 11%, Lê 9.5% and Phạm 7%. The weights need
not sum to 100: callers should pass them to ``random.choices(weights=...)``.
A few Tày/Nùng family names common in Bắc Kạn (Nông, Triệu, Ma, Hà) have
small weights.

The CCCD (citizen identity card) number has 12 digits:

* digits 1-3: code of the province of birth (registration), which is the
  2-digit GSO province code left-padded with "0" (Quảng Nam "049",
  Bắc Kạn "006", Cà Mau "096");
* digit 4: gender and century of birth
  (0 male / 1 female for 1900-1999, 2 male / 3 female for 2000-2099,
  4/5 for 2100-2199, ...);
* digits 5-6: last two digits of the year of birth;
* digits 7-12: random sequence.
"""

from __future__ import annotations

FAMILY_NAMES: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 38.4),
    ("Trần", 11.0),
    ("Lê", 9.5),
    ("Phạm", 7.1),
    ("Hoàng", 3.0),
    ("Huỳnh", 2.1),
    ("Phan", 4.5),
    ("Vũ", 2.0),
    ("Võ", 1.9),
    ("Đặng", 2.1),
    ("Bùi", 2.0),
    ("Đỗ", 1.4),
    ("Hồ", 1.3),
    ("Ngô", 1.3),
    ("Dương", 1.0),
    ("Lý", 0.5),
    ("Đinh", 0.6),
    ("Trương", 0.6),
    ("Đoàn", 0.5),
    ("Lâm", 0.4),
    ("Mai", 0.4),
    ("Lương", 0.4),
    ("Hà", 0.4),
    ("Cao", 0.3),
    ("Tạ", 0.2),
    ("Nông", 0.3),
    ("Triệu", 0.2),
    ("Ma", 0.1),
)

MIDDLE_NAMES_MALE: tuple[str, ...] = (
    "Văn",
    "Hữu",
    "Đức",
    "Minh",
    "Quang",
    "Công",
    "Thành",
    "Quốc",
    "Xuân",
    "Đình",
    "Ngọc",
    "Tấn",
)

MIDDLE_NAMES_FEMALE: tuple[str, ...] = (
    "Thị",
    "Ngọc",
    "Thu",
    "Thanh",
    "Kim",
    "Mỹ",
    "Phương",
    "Hoài",
    "Bảo",
    "Diệu",
    "Thùy",
    "Hồng",
)

GIVEN_NAMES_MALE: tuple[str, ...] = (
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hùng",
    "Hải",
    "Hiếu",
    "Hoàng",
    "Huy",
    "Khang",
    "Khoa",
    "Kiên",
    "Lâm",
    "Long",
    "Lộc",
    "Mạnh",
    "Minh",
    "Nam",
    "Nghĩa",
    "Nhân",
    "Phát",
    "Phong",
    "Phúc",
    "Quân",
    "Quang",
    "Sơn",
    "Tài",
    "Tâm",
    "Thắng",
    "Thành",
    "Thiện",
    "Thịnh",
    "Toàn",
    "Trung",
    "Tuấn",
    "Tùng",
    "Việt",
    "Vinh",
    "Vũ",
    "Đạt",
    "Đức",
    "Khánh",
)

GIVEN_NAMES_FEMALE: tuple[str, ...] = (
    "Lan",
    "Hương",
    "Mai",
    "Linh",
    "Trang",
    "Anh",
    "Chi",
    "Dung",
    "Giang",
    "Hà",
    "Hạnh",
    "Hằng",
    "Hiền",
    "Hoa",
    "Huyền",
    "Hồng",
    "Khánh",
    "Liên",
    "Loan",
    "Ly",
    "My",
    "Nga",
    "Ngân",
    "Ngọc",
    "Nhung",
    "Nhi",
    "Oanh",
    "Phương",
    "Quyên",
    "Quỳnh",
    "Tâm",
    "Thảo",
    "Thanh",
    "Thúy",
    "Thư",
    "Trâm",
    "Uyên",
    "Vân",
    "Vy",
    "Xuân",
    "Yến",
    "Diệp",
)

BUSINESS_NAMES: tuple[str, ...] = (
    "Công ty TNHH Thương mại Dịch vụ Hoàng Phát",
    "Công ty TNHH Một thành viên Xây dựng Minh Quang",
    "Công ty Cổ phần Du lịch Phố Hội",
    "Công ty TNHH Vận tải Tam Kỳ Xanh",
    "Công ty Cổ phần Đầu tư Phát triển Núi Thành",
    "Công ty TNHH Chế biến Thủy sản Năm Căn",
    "Công ty TNHH Thương mại Đất Mũi",
    "Công ty Cổ phần Nông sản Bắc Kạn",
    "Công ty TNHH Xây dựng và Thương mại Thành Đạt",
    "Công ty TNHH Tư vấn Thiết kế An Khang",
    "Doanh nghiệp tư nhân Vàng bạc Kim Ngân",
    "Doanh nghiệp tư nhân Xăng dầu Hiệp Tùng",
    "Hợp tác xã Nông nghiệp Dương Phong",
    "Hợp tác xã Dịch vụ Nông nghiệp Cẩm Thanh",
    "Hợp tác xã Nuôi trồng Thủy sản Tam Giang",
    "Hợp tác xã Chè Shan tuyết Bạch Thông",
    "Hộ kinh doanh Tạp hóa Thu Hương",
    "Hộ kinh doanh Quán ăn Mỹ Quảng Bà Mua",
    "Hộ kinh doanh Sửa chữa xe máy Minh Tuấn",
    "Hộ kinh doanh Cà phê Phố Cổ",
    "Hộ kinh doanh Vật liệu xây dựng Tân Tú",
    "Hộ kinh doanh Đồ gỗ Kim Bồng",
)

STREETS: tuple[str, ...] = (
    # Tam Kỳ / Hội An (Quảng Nam)
    "Phan Châu Trinh",
    "Hùng Vương",
    "Trần Cao Vân",
    "Huỳnh Thúc Kháng",
    "Phan Bội Châu",
    "Trần Phú",
    "Nguyễn Thị Minh Khai",
    "Hai Bà Trưng",
    "Cửa Đại",
    "Lý Thường Kiệt",
    # Bắc Kạn
    "Trường Chinh",
    "Nguyễn Văn Tố",
    "Kon Tum",
    "Thôn Nà Pài",
    "Thôn Bản Cáu",
    # Cà Mau
    "Trần Hưng Đạo",
    "Phan Ngọc Hiển",
    "Ngô Quyền",
    "Nguyễn Tất Thành",
    "Ấp Cây Trâm",
    "Khóm 3",
)

# Vietnamese mobile prefixes in use since the 2018 renumbering of 11-digit numbers.
PHONE_PREFIXES: tuple[str, ...] = (
    # Viettel
    "086",
    "096",
    "097",
    "098",
    "032",
    "033",
    "034",
    "035",
    "036",
    "037",
    "038",
    "039",
    # VinaPhone
    "088",
    "091",
    "094",
    "081",
    "082",
    "083",
    "084",
    "085",
    # MobiFone
    "089",
    "090",
    "093",
    "070",
    "076",
    "077",
    "078",
    "079",
    # Vietnamobile / Gmobile
    "092",
    "056",
    "058",
    "099",
    "059",
)

# GSO province code -> first three digits of the CCCD number.
PROVINCE_ID_PREFIX: dict[str, str] = {"49": "049", "06": "006", "96": "096"}

# CCCD 4th digit: (gender, century start year) -> digit.
CCCD_GENDER_CENTURY_DIGIT: dict[tuple[str, int], str] = {
    ("MALE", 1900): "0",
    ("FEMALE", 1900): "1",
    ("MALE", 2000): "2",
    ("FEMALE", 2000): "3",
}

"""Administrative units as they stood before 1 July 2025 (three levels), the demo's history.

The 1 July 2025 reorganisation is applied to them by `demo/seed.py` through the same
operation an administrator runs (`reorganization_2025.csv`, docs/units.md), which gives the
current tree: Đà Nẵng (48), Thái Nguyên (19) and Cà Mau (96).

Codes are the General Statistics Office (GSO / Tổng cục Thống kê) codes:
province 2 digits, district 3 digits, commune 5 digits.

Sources
-------
* Codes and names: ``daohoangson/dvhcvn`` ``data/sorted.json``
  (commit 8e899298a3833486fde2a7f7dc6d1c8cdeccba42), a GSO-derived list.
* Which units still existed just before 1 July 2025 was checked against the
  Standing Committee resolutions that abolished them, as transcribed in
  ``dvhcvn/20250701`` ``input/docs/1659_NQ-UBTVQH15.md`` (Quảng Nam / Đà Nẵng)
  and ``input/docs/1655_NQ-UBTVQH15.md`` (Cà Mau). Those resolutions list
  every pre-reform ward/commune by name.
* The sorted.json snapshot predates two 2024 mergers. They are applied here:
  - Phường Phước Hòa (20338) was merged into Phường An Xuân
    (Nghị quyết 1241/NQ-UBTVQH15, 24/10/2024). Tam Kỳ then had 12 units:
    8 phường and 4 xã.
  - Phường 4 (32002) of Cà Mau city was merged into Phường 2
    (Nghị quyết 1252/NQ-UBTVQH15, effective 1/12/2024). Cà Mau city then had
    16 units: 9 phường and 7 xã.
  The surviving unit keeps its existing code.
* Bắc Kạn (Bạch Thông district and Bắc Kạn city) was cross-checked against a
  third-party transcription of the 2025 Thái Nguyên commune resolution. Both
  match the snapshot: 14 and 8 units.

Scope: Quảng Nam has Tam Kỳ, Hội An and Núi Thành. Bắc Kạn has Bạch Thông and
Bắc Kạn city. Cà Mau has Cà Mau city and Năm Căn. Each district lists all of
its communes.

The three provinces merged with them in 2025 are kept as provinces without districts
(`MERGED_PROVINCES`), so that the new provinces have all their predecessors. Bạc Liêu's code
95 was read in ``daohoangson/dvhcvn`` ``data/sorted.json``; the pre-2025 codes of Đà Nẵng (48)
and Thái Nguyên (19) were NOT read in a source: they are inferred from the 2025 list, whose
merged provinces kept the code of one of their predecessors (UNVERIFIED).
"""

from __future__ import annotations

MERGED_PROVINCES: tuple[tuple[str, str, str, str | None], ...] = (
    ("48", "Thành phố Đà Nẵng", "PROVINCE", None),  # code UNVERIFIED (see above)
    ("19", "Tỉnh Thái Nguyên", "PROVINCE", None),  # code UNVERIFIED (see above)
    ("95", "Tỉnh Bạc Liêu", "PROVINCE", None),
)
# The day the two-level government began (NQ 202/2025/QH15; 60-NQ/TW mục 5).
REORGANIZED_ON = "2025-07-01"

UNITS: tuple[tuple[str, str, str, str | None], ...] = (
    # (code, name, level, parent_code) ; level in "PROVINCE" | "DISTRICT" | "COMMUNE"
    # ------------------------------------------------------------------
    # Tỉnh Quảng Nam (49)
    # ------------------------------------------------------------------
    ("49", "Tỉnh Quảng Nam", "PROVINCE", None),
    # Thành phố Tam Kỳ (502): 8 phường + 4 xã
    ("502", "Thành phố Tam Kỳ", "DISTRICT", "49"),
    ("20335", "Phường Tân Thạnh", "COMMUNE", "502"),
    ("20341", "Phường An Mỹ", "COMMUNE", "502"),
    ("20344", "Phường Hòa Hương", "COMMUNE", "502"),
    ("20347", "Phường An Xuân", "COMMUNE", "502"),
    ("20350", "Phường An Sơn", "COMMUNE", "502"),
    ("20353", "Phường Trường Xuân", "COMMUNE", "502"),
    ("20356", "Phường An Phú", "COMMUNE", "502"),
    ("20359", "Xã Tam Thanh", "COMMUNE", "502"),
    ("20362", "Xã Tam Thăng", "COMMUNE", "502"),
    ("20371", "Xã Tam Phú", "COMMUNE", "502"),
    ("20375", "Phường Hòa Thuận", "COMMUNE", "502"),
    ("20389", "Xã Tam Ngọc", "COMMUNE", "502"),
    # Thành phố Hội An (503): 9 phường + 4 xã
    ("503", "Thành phố Hội An", "DISTRICT", "49"),
    ("20398", "Phường Minh An", "COMMUNE", "503"),
    ("20401", "Phường Tân An", "COMMUNE", "503"),
    ("20404", "Phường Cẩm Phô", "COMMUNE", "503"),
    ("20407", "Phường Thanh Hà", "COMMUNE", "503"),
    ("20410", "Phường Sơn Phong", "COMMUNE", "503"),
    ("20413", "Phường Cẩm Châu", "COMMUNE", "503"),
    ("20416", "Phường Cửa Đại", "COMMUNE", "503"),
    ("20419", "Phường Cẩm An", "COMMUNE", "503"),
    ("20422", "Xã Cẩm Hà", "COMMUNE", "503"),
    ("20425", "Xã Cẩm Kim", "COMMUNE", "503"),
    ("20428", "Phường Cẩm Nam", "COMMUNE", "503"),
    ("20431", "Xã Cẩm Thanh", "COMMUNE", "503"),
    ("20434", "Xã Tân Hiệp", "COMMUNE", "503"),
    # Huyện Núi Thành (517): 1 thị trấn + 16 xã (unchanged 2019-2025)
    ("517", "Huyện Núi Thành", "DISTRICT", "49"),
    ("20965", "Thị trấn Núi Thành", "COMMUNE", "517"),
    ("20968", "Xã Tam Xuân I", "COMMUNE", "517"),
    ("20971", "Xã Tam Xuân II", "COMMUNE", "517"),
    ("20974", "Xã Tam Tiến", "COMMUNE", "517"),
    ("20977", "Xã Tam Sơn", "COMMUNE", "517"),
    ("20980", "Xã Tam Thạnh", "COMMUNE", "517"),
    ("20983", "Xã Tam Anh Bắc", "COMMUNE", "517"),
    ("20984", "Xã Tam Anh Nam", "COMMUNE", "517"),
    ("20986", "Xã Tam Hòa", "COMMUNE", "517"),
    ("20989", "Xã Tam Hiệp", "COMMUNE", "517"),
    ("20992", "Xã Tam Hải", "COMMUNE", "517"),
    ("20995", "Xã Tam Giang", "COMMUNE", "517"),
    ("20998", "Xã Tam Quang", "COMMUNE", "517"),
    ("21001", "Xã Tam Nghĩa", "COMMUNE", "517"),
    ("21004", "Xã Tam Mỹ Tây", "COMMUNE", "517"),
    ("21005", "Xã Tam Mỹ Đông", "COMMUNE", "517"),
    ("21007", "Xã Tam Trà", "COMMUNE", "517"),
    # ------------------------------------------------------------------
    # Tỉnh Bắc Kạn (06)
    # ------------------------------------------------------------------
    ("06", "Tỉnh Bắc Kạn", "PROVINCE", None),
    # Thành phố Bắc Kạn (058): 6 phường + 2 xã
    ("058", "Thành phố Bắc Kạn", "DISTRICT", "06"),
    ("01834", "Phường Nguyễn Thị Minh Khai", "COMMUNE", "058"),
    ("01837", "Phường Sông Cầu", "COMMUNE", "058"),
    ("01840", "Phường Đức Xuân", "COMMUNE", "058"),
    ("01843", "Phường Phùng Chí Kiên", "COMMUNE", "058"),
    ("01846", "Phường Huyền Tụng", "COMMUNE", "058"),
    ("01849", "Xã Dương Quang", "COMMUNE", "058"),
    ("01852", "Xã Nông Thượng", "COMMUNE", "058"),
    ("01855", "Phường Xuất Hóa", "COMMUNE", "058"),
    # Huyện Bạch Thông (063): 1 thị trấn + 13 xã
    ("063", "Huyện Bạch Thông", "DISTRICT", "06"),
    ("01969", "Thị trấn Phủ Thông", "COMMUNE", "063"),
    ("01975", "Xã Vi Hương", "COMMUNE", "063"),
    ("01978", "Xã Sĩ Bình", "COMMUNE", "063"),
    ("01981", "Xã Vũ Muộn", "COMMUNE", "063"),
    ("01984", "Xã Đôn Phong", "COMMUNE", "063"),
    ("01990", "Xã Lục Bình", "COMMUNE", "063"),
    ("01993", "Xã Tân Tú", "COMMUNE", "063"),
    ("01999", "Xã Nguyên Phúc", "COMMUNE", "063"),
    ("02002", "Xã Cao Sơn", "COMMUNE", "063"),
    ("02005", "Xã Quân Hà", "COMMUNE", "063"),
    ("02008", "Xã Cẩm Giàng", "COMMUNE", "063"),
    ("02011", "Xã Mỹ Thanh", "COMMUNE", "063"),
    ("02014", "Xã Dương Phong", "COMMUNE", "063"),
    ("02017", "Xã Quang Thuận", "COMMUNE", "063"),
    # ------------------------------------------------------------------
    # Tỉnh Cà Mau (96)
    # ------------------------------------------------------------------
    ("96", "Tỉnh Cà Mau", "PROVINCE", None),
    # Thành phố Cà Mau (964): 9 phường + 7 xã
    ("964", "Thành phố Cà Mau", "DISTRICT", "96"),
    ("31999", "Phường 9", "COMMUNE", "964"),
    ("32005", "Phường 1", "COMMUNE", "964"),
    ("32008", "Phường 5", "COMMUNE", "964"),
    ("32011", "Phường 2", "COMMUNE", "964"),
    ("32014", "Phường 8", "COMMUNE", "964"),
    ("32017", "Phường 6", "COMMUNE", "964"),
    ("32020", "Phường 7", "COMMUNE", "964"),
    ("32022", "Phường Tân Xuyên", "COMMUNE", "964"),
    ("32023", "Xã An Xuyên", "COMMUNE", "964"),
    ("32025", "Phường Tân Thành", "COMMUNE", "964"),
    ("32026", "Xã Tân Thành", "COMMUNE", "964"),
    ("32029", "Xã Tắc Vân", "COMMUNE", "964"),
    ("32032", "Xã Lý Văn Lâm", "COMMUNE", "964"),
    ("32035", "Xã Định Bình", "COMMUNE", "964"),
    ("32038", "Xã Hòa Thành", "COMMUNE", "964"),
    ("32041", "Xã Hòa Tân", "COMMUNE", "964"),
    # Huyện Năm Căn (971): 1 thị trấn + 7 xã
    ("971", "Huyện Năm Căn", "DISTRICT", "96"),
    ("32191", "Thị trấn Năm Căn", "COMMUNE", "971"),
    ("32194", "Xã Hàm Rồng", "COMMUNE", "971"),
    ("32197", "Xã Hiệp Tùng", "COMMUNE", "971"),
    ("32200", "Xã Đất Mới", "COMMUNE", "971"),
    ("32201", "Xã Lâm Hải", "COMMUNE", "971"),
    ("32203", "Xã Hàng Vịnh", "COMMUNE", "971"),
    ("32206", "Xã Tam Giang", "COMMUNE", "971"),
    ("32209", "Xã Tam Giang Đông", "COMMUNE", "971"),
)

"""Administrative procedures from the national catalogue (Cơ sở dữ liệu quốc gia
về thủ tục hành chính / Cổng Dịch vụ công quốc gia), used as demo data.

``level`` is the competent level under the three-level system that applied
before 1 July 2025. In the 2025 catalogue, many former district-level
procedures are listed as "Cấp xã". Examples are civil status with a foreign
element, household business and construction permits.

Where the codes and names come from
-----------------------------------
* ``suzynotsusie/data-pipeline``: ``main/full-data.csv`` (a catalogue export)
  and ``raw_data/<code>/<code>_procedure_detail.md`` (national-portal detail
  pages). These confirmed 1.001193, 2.000806, 2.000528, 2.001263, 1.012812,
  1.004873 and 1.001456.
* ``phamhungVpdklk/TTHC-2228``: ``danhmuc_thutuc.js`` and ``1.012784.H19.html``.
  These are land procedures under the 2024 Land Law: 1.012753, 1.012784 and
  1.012805.
* Public chatbot and test datasets that assert codes against a catalogue
  database. They give the hộ tịch, chứng thực, hộ kinh doanh, bảo trợ xã hội,
  cư trú, GPXD (1.01322x), 2.000488 and 2.001610 codes.
* Official provincial decision extracts quoted in public repositories:
  1.003593, 1.012969 and 2.000162.

Processing times and fees
-------------------------
``processing_days`` is the amount of the in-person time limit and ``time_unit``
its unit (default ``WORKING_DAYS``); ``channel_terms`` gives what differs for
another channel (``{"ONLINE": {"fee": 7_000}}``); ``payment_pauses_clock`` marks
procedures whose sector law does not count the time taken to pay (land).

Checked against the research note of issue 12 (docs/deadlines.md, "Sources"):

* same day, received after 15:00 the next working day (``SAME_DAY``): 1.001193
  and 2.000635 (national-portal catalogue text; ``nguyentruongsonn/eward``
  ``CachThucHienSeeder.php``), 2.000815 (same seeder). The primary legal text of
  the 15:00 rule was not found.
* calendar days (``CALENDAR_DAYS``): 2.001263, 30 days (Luật Nuôi con nuôi
  52/2010/QH12, Điều 19(2)); 1.012812, 30 days (one provincial decision writes
  "30 ngày làm việc": the sources conflict).
* per channel: 1.004194, 15.000đ in person, 7.000đ online (TT 75/2022/TT-BTC);
  1.012784, appraisal fee 450.000đ in person, 427.500đ online, the same 12
  working days (no source gives a shorter online time); 2.001610, no fee online
  (TT 47/2019/TT-BTC).
* payment time not counted: the land registration procedure 1.012753 ("không
  tính thời gian thực hiện nghĩa vụ tài chính" in the provincial catalogues; the
  article of Decree 151/2025/NĐ-CP was not found).

The other times are the pre-2025 working-day limits, as the rest of this file
says; one province's halving of online fees was not found in the sources and is
not encoded.

Fees follow central fee circulars where the rate is fixed nationally. Examples
are TT 281/2016 (trích lục 8.000đ), TT 226/2016 (chứng thực), TT 47/2019
(LLTP, đăng ký doanh nghiệp), TT 75/2022 (cư trú), TT 25/2021 (hộ chiếu) and
TT 37/2023 (GPLX). Where the provincial People's Council sets the rate
(TT 85/2019), a typical value is used and marked ``# provincial rate``.

Entries marked ``# unverified`` could not be confirmed through the search
tools. They carry the best-known real code.
"""

from __future__ import annotations

PROCEDURES: tuple[dict[str, object], ...] = (
    # ==================================================================
    # COMMUNE level (UBND cấp xã / Công an cấp xã)
    # ==================================================================
    {
        "code": "1.001193",
        "name": "Thủ tục đăng ký khai sinh",
        "field": "Hộ tịch",
        "level": "COMMUNE",
        "processing_days": 0,  # ngay trong ngày; nhận sau 15 giờ: ngày làm việc tiếp theo
        "time_unit": "SAME_DAY",
        "fee": 0,  # miễn lệ phí khi đăng ký đúng hạn (Luật Hộ tịch, Điều 11)
        "online_level": "FULL",
        "documents": (
            "Tờ khai đăng ký khai sinh",
            "Giấy chứng sinh (hoặc văn bản của người làm chứng / giấy cam đoan về việc sinh)",
            "Giấy tờ tùy thân của người đi đăng ký",
        ),
    },
    {
        "code": "1.000894",
        "name": "Thủ tục đăng ký kết hôn",
        "field": "Hộ tịch",
        "level": "COMMUNE",
        "processing_days": 1,  # ngay trong ngày; tối đa 5 ngày làm việc nếu cần xác minh
        "fee": 0,  # miễn lệ phí đối với công dân Việt Nam cư trú trong nước
        "online_level": "PARTIAL",  # hai bên phải có mặt ký Sổ và Giấy chứng nhận kết hôn
        "documents": (
            "Tờ khai đăng ký kết hôn",
            "Giấy tờ tùy thân của hai bên nam, nữ",
            "Giấy xác nhận tình trạng hôn nhân (nếu đăng ký tại nơi không thường trú)",
        ),
    },
    {
        "code": "1.000656",
        "name": "Thủ tục đăng ký khai tử",
        "field": "Hộ tịch",
        "level": "COMMUNE",
        "processing_days": 1,  # unverified: probably the same-day rule, as for khai sinh
        "fee": 0,  # miễn lệ phí khi đăng ký đúng hạn
        "online_level": "FULL",
        "documents": (
            "Tờ khai đăng ký khai tử",
            "Giấy báo tử hoặc giấy tờ thay thế Giấy báo tử",
            "Giấy tờ tùy thân của người đi đăng ký",
        ),
    },
    {
        "code": "1.004873",
        "name": "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân",
        "field": "Hộ tịch",
        "level": "COMMUNE",
        "processing_days": 3,
        "fee": 15_000,  # provincial rate (TT 85/2019/TT-BTC)
        "online_level": "FULL",
        "documents": (
            "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân",
            "Giấy tờ chứng minh việc ly hôn hoặc vợ/chồng đã chết (nếu có)",
            "Giấy tờ tùy thân",
        ),
    },
    {
        "code": "1.004884",
        "name": "Thủ tục đăng ký lại khai sinh",
        "field": "Hộ tịch",
        "level": "COMMUNE",
        "processing_days": 5,
        "fee": 5_000,  # provincial rate
        "online_level": "PARTIAL",
        "documents": (
            "Tờ khai đăng ký lại khai sinh",
            "Bản sao giấy tờ, tài liệu có nội dung liên quan đến việc khai sinh",
            "Giấy tờ tùy thân",
        ),
    },
    {
        "code": "1.004859",
        "name": "Thủ tục đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch",
        "field": "Hộ tịch",
        "level": "COMMUNE",
        "processing_days": 3,
        "fee": 15_000,  # provincial rate
        "online_level": "PARTIAL",
        "documents": (
            "Tờ khai đăng ký việc thay đổi, cải chính, bổ sung thông tin hộ tịch",
            "Giấy tờ làm căn cứ thay đổi, cải chính, bổ sung",
            "Giấy khai sinh bản chính",
        ),
    },
    {
        "code": "2.000635",
        "name": "Thủ tục cấp bản sao trích lục hộ tịch",
        "field": "Hộ tịch",
        "level": "COMMUNE",
        "processing_days": 0,  # trong ngày, nhận sau 15 giờ: ngày làm việc tiếp theo; every channel
        "time_unit": "SAME_DAY",
        "fee": 8_000,  # 8.000đ/bản sao (TT 281/2016/TT-BTC)
        "online_level": "FULL",
        "documents": (
            "Tờ khai cấp bản sao trích lục hộ tịch",
            "Giấy tờ tùy thân của người yêu cầu",
            "Văn bản ủy quyền (nếu nộp thay)",
        ),
    },
    {
        "code": "2.000815",
        "name": (
            "Thủ tục chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, "
            "tổ chức có thẩm quyền của Việt Nam cấp hoặc chứng nhận"
        ),
        "field": "Chứng thực",
        "level": "COMMUNE",
        "processing_days": 0,  # trong ngày, nhận sau 15 giờ: ngày làm việc tiếp theo
        "time_unit": "SAME_DAY",
        "fee": 2_000,  # 2.000đ/trang; từ trang thứ ba 1.000đ/trang (TT 226/2016/TT-BTC)
        "online_level": "PARTIAL",
        "documents": (
            "Bản chính giấy tờ, văn bản cần chứng thực",
            "Bản sao cần chứng thực",
        ),
    },
    {
        "code": "2.000884",
        "name": (
            "Thủ tục chứng thực chữ ký trong các giấy tờ, văn bản (áp dụng cho cả "
            "trường hợp chứng thực điểm chỉ và trường hợp người yêu cầu chứng thực "
            "không thể ký, không thể điểm chỉ được)"
        ),
        "field": "Chứng thực",
        "level": "COMMUNE",
        "processing_days": 1,  # unverified: probably the same-day rule of chứng thực
        "fee": 10_000,  # 10.000đ/trường hợp (TT 226/2016/TT-BTC)
        "online_level": "NONE",  # phải ký trước mặt người thực hiện chứng thực
        "documents": (
            "Giấy tờ tùy thân của người yêu cầu chứng thực",
            "Giấy tờ, văn bản sẽ ký",
        ),
    },
    {
        "code": "2.001035",
        "name": (
            "Thủ tục chứng thực hợp đồng, giao dịch liên quan đến tài sản là động "
            "sản, quyền sử dụng đất và nhà ở"
        ),
        "field": "Chứng thực",
        "level": "COMMUNE",
        "processing_days": 2,
        "fee": 50_000,  # 50.000đ/hợp đồng, giao dịch (TT 226/2016/TT-BTC)
        "online_level": "NONE",
        "documents": (
            "Dự thảo hợp đồng, giao dịch",
            "Bản sao giấy tờ tùy thân của các bên",
            "Bản sao Giấy chứng nhận quyền sử dụng đất / giấy tờ về tài sản",
        ),
    },
    {
        "code": "2.001263",
        "name": "Thủ tục đăng ký việc nuôi con nuôi trong nước",
        "field": "Nuôi con nuôi",
        "level": "COMMUNE",
        # 30 ngày (calendar days) from the complete dossier: Luật Nuôi con nuôi, Điều 19(2)
        "processing_days": 30,
        "time_unit": "CALENDAR_DAYS",
        "fee": 400_000,  # lệ phí 400.000đ (theo Cổng DVCQG)
        "online_level": "PARTIAL",
        "documents": (
            "Đơn xin nhận con nuôi",
            "Giấy khám sức khỏe của người nhận con nuôi",
            "Văn bản xác nhận hoàn cảnh gia đình, tình trạng chỗ ở, điều kiện kinh tế",
            "Giấy khai sinh và 02 ảnh của người được nhận làm con nuôi",
        ),
    },
    {
        "code": "1.012812",
        "name": "Hòa giải tranh chấp đất đai",
        "field": "Đất đai",
        "level": "COMMUNE",
        # 30 ngày (Luật Đất đai 2024, Điều 235); one provincial decision says 30 working days
        "processing_days": 30,
        "time_unit": "CALENDAR_DAYS",
        "fee": 0,
        "online_level": "NONE",
        "documents": (
            "Đơn yêu cầu hòa giải tranh chấp đất đai",
            "Các giấy tờ có liên quan đến việc sử dụng đất",
        ),
    },
    {
        "code": "1.001699",
        "name": "Xác định, xác định lại mức độ khuyết tật và cấp Giấy xác nhận khuyết tật",
        "field": "Bảo trợ xã hội",
        "level": "COMMUNE",
        "processing_days": 25,  # 20 ngày Hội đồng xác định + 5 ngày cấp giấy
        "fee": 0,
        "online_level": "PARTIAL",
        "documents": (
            "Đơn đề nghị xác định mức độ khuyết tật",
            "Bản sao các giấy tờ y tế chứng minh về khuyết tật (nếu có)",
        ),
    },
    {
        "code": "1.004194",
        "name": "Đăng ký tạm trú",
        "field": "Đăng ký, quản lý cư trú",
        "level": "COMMUNE",  # Công an cấp xã
        "processing_days": 3,  # 03 ngày làm việc, every channel
        "fee": 15_000,  # 15.000đ trực tiếp, 7.000đ trực tuyến (TT 75/2022/TT-BTC)
        "channel_terms": {"ONLINE": {"fee": 7_000}},
        "online_level": "FULL",
        "documents": (
            "Tờ khai thay đổi thông tin cư trú (Mẫu CT01)",
            "Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp",
        ),
    },
    # ==================================================================
    # DISTRICT level (UBND cấp huyện / Phòng Tư pháp, Phòng Tài chính - Kế
    # hoạch, Phòng Quản lý đô thị / Kinh tế - Hạ tầng, Phòng LĐTBXH,
    # Phòng GD&ĐT, Chi nhánh Văn phòng đăng ký đất đai)
    # ==================================================================
    {
        "code": "2.000528",
        "name": "Thủ tục đăng ký khai sinh có yếu tố nước ngoài",
        "field": "Hộ tịch",
        "level": "DISTRICT",
        "processing_days": 1,
        "fee": 75_000,  # provincial rate
        "online_level": "PARTIAL",
        "documents": (
            "Tờ khai đăng ký khai sinh",
            "Giấy chứng sinh",
            (
                "Văn bản thỏa thuận của cha, mẹ về việc chọn quốc tịch cho con "
                "(nếu cha hoặc mẹ là người nước ngoài)"
            ),
        ),
    },
    {
        "code": "2.000806",
        "name": "Thủ tục đăng ký kết hôn có yếu tố nước ngoài",
        "field": "Hộ tịch",
        "level": "DISTRICT",
        "processing_days": 15,  # Luật Hộ tịch 2014, Điều 38 (catalogue 2025 shortened to 5)
        "fee": 1_000_000,  # provincial rate
        "online_level": "PARTIAL",
        "documents": (
            "Tờ khai đăng ký kết hôn",
            "Giấy tờ chứng minh tình trạng hôn nhân của người nước ngoài",
            "Giấy xác nhận của tổ chức y tế về khả năng nhận thức, làm chủ hành vi",
            "Bản sao hộ chiếu / giấy tờ thay thế hộ chiếu của người nước ngoài",
        ),
    },
    {
        "code": "2.000992",
        "name": (
            "Thủ tục chứng thực chữ ký người dịch mà người dịch là cộng tác viên dịch thuật của Phòng Tư pháp"
        ),
        "field": "Chứng thực",
        "level": "DISTRICT",
        "processing_days": 1,
        "fee": 10_000,  # 10.000đ/trường hợp (TT 226/2016/TT-BTC)
        "online_level": "NONE",
        "documents": (
            "Bản dịch và giấy tờ, văn bản cần dịch",
            "Giấy tờ tùy thân của người yêu cầu",
        ),
    },
    {
        "code": "1.001612",
        "name": "Đăng ký thành lập hộ kinh doanh",
        "field": "Thành lập và hoạt động của hộ kinh doanh",
        "level": "DISTRICT",
        "processing_days": 3,
        "fee": 100_000,  # provincial rate
        "online_level": "FULL",
        "documents": (
            "Giấy đề nghị đăng ký hộ kinh doanh",
            "Bản sao giấy tờ pháp lý của cá nhân đối với chủ hộ kinh doanh",
            "Biên bản họp thành viên hộ gia đình về việc thành lập hộ kinh doanh (nếu có)",
        ),
    },
    {
        "code": "2.000720",
        "name": "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh",
        "field": "Thành lập và hoạt động của hộ kinh doanh",
        "level": "DISTRICT",
        "processing_days": 3,
        "fee": 50_000,  # provincial rate
        "online_level": "FULL",
        "documents": (
            "Thông báo thay đổi nội dung đăng ký hộ kinh doanh",
            "Bản gốc Giấy chứng nhận đăng ký hộ kinh doanh",
        ),
    },
    {
        "code": "1.001570",
        "name": ("Tạm ngừng kinh doanh, tiếp tục kinh doanh trước thời hạn đã thông báo của hộ kinh doanh"),
        "field": "Thành lập và hoạt động của hộ kinh doanh",
        "level": "DISTRICT",
        "processing_days": 3,
        "fee": 0,
        "online_level": "FULL",
        "documents": ("Thông báo về việc tạm ngừng / tiếp tục kinh doanh của hộ kinh doanh",),
    },
    {
        "code": "1.013225",
        "name": ("Cấp giấy phép xây dựng mới đối với công trình cấp III, cấp IV và nhà ở riêng lẻ"),
        "field": "Hoạt động xây dựng",
        "level": "DISTRICT",
        "processing_days": 15,  # nhà ở riêng lẻ: 15 ngày (NĐ 175/2024/NĐ-CP)
        "fee": 75_000,  # provincial rate (nhà ở riêng lẻ)
        "online_level": "PARTIAL",
        "documents": (
            "Đơn đề nghị cấp giấy phép xây dựng",
            "Bản sao giấy tờ chứng minh quyền sử dụng đất",
            "02 bộ bản vẽ thiết kế xây dựng",
        ),
    },
    {
        "code": "1.013228",
        "name": ("Cấp lại giấy phép xây dựng đối với công trình cấp III, cấp IV và nhà ở riêng lẻ"),
        "field": "Hoạt động xây dựng",
        "level": "DISTRICT",
        "processing_days": 5,
        "fee": 15_000,  # provincial rate
        "online_level": "FULL",
        "documents": (
            "Đơn đề nghị cấp lại giấy phép xây dựng",
            "Bản chính giấy phép xây dựng đã được cấp (trường hợp bị rách, nát)",
        ),
    },
    {
        "code": "1.012784",
        "name": "Tách thửa hoặc hợp thửa đất",
        "field": "Đất đai",
        "level": "DISTRICT",  # Chi nhánh Văn phòng đăng ký đất đai cấp huyện
        "processing_days": 12,  # as published on the H19 provincial portal page
        "fee": 450_000,  # provincial rate: phí thẩm định hồ sơ (hộ gia đình, cá nhân), H19
        "channel_terms": {"ONLINE": {"fee": 427_500}},  # the same H19 page, online
        "online_level": "PARTIAL",
        "documents": (
            "Đơn đề nghị tách thửa đất, hợp thửa đất",
            "Bản vẽ tách thửa đất, hợp thửa đất",
            "Bản gốc Giấy chứng nhận đã cấp",
        ),
    },
    {
        "code": "1.001776",
        "name": (
            "Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hàng tháng, hỗ trợ "
            "kinh phí chăm sóc, nuôi dưỡng hàng tháng"
        ),
        "field": "Bảo trợ xã hội",
        "level": "DISTRICT",  # Chủ tịch UBND cấp huyện quyết định (NĐ 20/2021/NĐ-CP)
        "processing_days": 20,  # xã 10 + Phòng LĐTBXH 7 + Chủ tịch UBND huyện 3
        "fee": 0,
        "online_level": "PARTIAL",
        "documents": (
            "Tờ khai đề nghị trợ giúp xã hội (Mẫu 1a/1b/1c/1d/1đ - NĐ 20/2021/NĐ-CP)",
            "Bản sao giấy tờ chứng minh thuộc đối tượng bảo trợ xã hội",
        ),
    },
    {
        "code": "1.012969",
        "name": "Thành lập hoặc cho phép thành lập trung tâm học tập cộng đồng",
        "field": "Giáo dục và Đào tạo",
        "level": "DISTRICT",
        "processing_days": 15,  # unverified (time limit)
        "fee": 0,
        "online_level": "PARTIAL",
        "documents": (
            "Tờ trình đề nghị thành lập trung tâm học tập cộng đồng",
            "Đề án thành lập trung tâm học tập cộng đồng",
        ),
    },
    {
        "code": "2.000162",
        "name": "Cấp sửa đổi, bổ sung Giấy phép bán lẻ sản phẩm thuốc lá",
        "field": "Lưu thông hàng hóa trong nước",
        "level": "DISTRICT",  # Phòng Kinh tế / Kinh tế - Hạ tầng (before 7/2025)
        "processing_days": 15,  # unverified (time limit)
        "fee": 200_000,  # unverified: phí thẩm định bán lẻ thuốc lá, khu vực ngoài TP trực thuộc TW
        "online_level": "PARTIAL",
        "documents": (
            "Văn bản đề nghị cấp sửa đổi, bổ sung Giấy phép bán lẻ sản phẩm thuốc lá",
            "Bản sao Giấy phép bán lẻ sản phẩm thuốc lá đã được cấp",
        ),
    },
    # ==================================================================
    # PROVINCE level (UBND tỉnh / Sở, ngành / Công an tỉnh)
    # ==================================================================
    {
        "code": "2.000488",
        "name": (
            "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam"
        ),
        "field": "Lý lịch tư pháp",
        "level": "PROVINCE",  # Sở Tư pháp
        "processing_days": 10,
        "fee": 200_000,  # 200.000đ; sinh viên, người có công 100.000đ (TT 244/2016/TT-BTC)
        "online_level": "FULL",
        "documents": (
            "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp",
            "Bản chụp giấy tờ tùy thân",
            "Bản chụp giấy tờ chứng minh nơi thường trú / tạm trú",
        ),
    },
    {
        "code": "2.001610",
        "name": "Đăng ký thành lập doanh nghiệp tư nhân",
        "field": "Thành lập và hoạt động doanh nghiệp",
        "level": "PROVINCE",  # Phòng Đăng ký kinh doanh - Sở Kế hoạch và Đầu tư
        "processing_days": 3,
        "fee": 50_000,  # lệ phí 50.000đ; miễn khi nộp trực tuyến (TT 47/2019/TT-BTC)
        "channel_terms": {"ONLINE": {"fee": 0}},
        "online_level": "FULL",
        "documents": (
            "Giấy đề nghị đăng ký doanh nghiệp",
            "Bản sao giấy tờ pháp lý của cá nhân đối với chủ doanh nghiệp tư nhân",
        ),
    },
    {
        "code": "2.001955",
        "name": "Đăng ký nội quy lao động",
        "field": "Lao động",
        "level": "PROVINCE",  # Sở Lao động - Thương binh và Xã hội
        "processing_days": 7,  # Bộ luật Lao động 2019, Điều 119
        "fee": 0,
        "online_level": "FULL",
        "documents": (
            "Văn bản đề nghị đăng ký nội quy lao động",
            "Nội quy lao động",
            "Văn bản góp ý của tổ chức đại diện người lao động tại cơ sở (nếu có)",
        ),
    },
    {
        "code": "1.012753",
        "name": (
            "Đăng ký đất đai, tài sản gắn liền với đất, cấp Giấy chứng nhận quyền sử "
            "dụng đất, quyền sở hữu tài sản gắn liền với đất lần đầu đối với tổ chức "
            "đang sử dụng đất"
        ),
        "field": "Đất đai",
        "level": "PROVINCE",  # Sở Tài nguyên và Môi trường / Văn phòng đăng ký đất đai
        "processing_days": 20,  # NĐ 101/2024/NĐ-CP
        "fee": 100_000,  # provincial rate (lệ phí cấp GCN cho tổ chức)
        "payment_pauses_clock": True,  # không tính thời gian thực hiện nghĩa vụ tài chính
        "online_level": "PARTIAL",
        "documents": (
            "Đơn đăng ký đất đai, tài sản gắn liền với đất (Mẫu 04/ĐK)",
            "Giấy tờ về quyền sử dụng đất",
            "Báo cáo kết quả rà soát hiện trạng sử dụng đất",
        ),
    },
    {
        "code": "1.012805",
        "name": ("Giải quyết tranh chấp đất đai thuộc thẩm quyền của Chủ tịch Ủy ban nhân dân cấp tỉnh"),
        "field": "Đất đai",
        "level": "PROVINCE",
        "processing_days": 60,  # unverified (time limit)
        "fee": 0,
        "online_level": "NONE",
        "documents": (
            "Đơn yêu cầu giải quyết tranh chấp đất đai",
            "Biên bản hòa giải tại UBND cấp xã",
            "Giấy tờ, tài liệu có liên quan đến việc sử dụng đất",
        ),
    },
    {
        "code": "1.003593",
        "name": "Cấp giấy xác nhận nguyên liệu thủy sản khai thác (theo yêu cầu)",
        "field": "Thủy sản",
        "level": "PROVINCE",  # Chi cục Thủy sản - Sở Nông nghiệp và PTNT
        "processing_days": 2,  # unverified (time limit)
        "fee": 0,
        "online_level": "PARTIAL",
        "documents": (
            "Giấy đề nghị xác nhận nguyên liệu thủy sản khai thác",
            "Bản sao Giấy biên nhận thủy sản bốc dỡ qua cảng / nhật ký khai thác",
        ),
    },
    {
        "code": "1.002809",  # unverified
        "name": "Đổi Giấy phép lái xe do ngành Giao thông vận tải cấp",
        "field": "Đường bộ",
        "level": "PROVINCE",  # Sở Giao thông vận tải (until 28/02/2025)
        "processing_days": 5,
        "fee": 135_000,  # 135.000đ; 115.000đ trực tuyến (TT 37/2023/TT-BTC)
        "online_level": "FULL",
        "documents": (
            "Đơn đề nghị đổi, cấp lại Giấy phép lái xe",
            "Giấy khám sức khỏe của người lái xe",
            "Bản sao Giấy phép lái xe",
        ),
    },
    {
        "code": "1.001978",  # unverified
        "name": "Giải quyết hưởng trợ cấp thất nghiệp",
        "field": "Việc làm",
        "level": "PROVINCE",  # Trung tâm Dịch vụ việc làm - Sở LĐTBXH
        "processing_days": 20,
        "fee": 0,
        "online_level": "PARTIAL",
        "documents": (
            "Đề nghị hưởng trợ cấp thất nghiệp (Mẫu số 03)",
            "Bản sao giấy tờ xác nhận chấm dứt hợp đồng lao động",
            "Sổ bảo hiểm xã hội",
        ),
    },
    {
        "code": "1.005142",  # unverified (official name and time)
        "name": "Đăng ký dự thi tốt nghiệp trung học phổ thông",
        "field": "Thi, tuyển sinh",
        "level": "PROVINCE",  # Sở Giáo dục và Đào tạo
        "processing_days": 1,
        "fee": 0,
        "online_level": "FULL",
        "documents": (
            "Phiếu đăng ký dự thi",
            "Giấy tờ tùy thân",
        ),
    },
    {
        "code": "1.001456",
        "name": "Cấp hộ chiếu phổ thông ở trong nước (thực hiện tại cấp tỉnh)",
        "field": "Quản lý xuất nhập cảnh",
        "level": "PROVINCE",  # Phòng Quản lý xuất nhập cảnh - Công an tỉnh
        "processing_days": 8,  # Luật Xuất cảnh, nhập cảnh của công dân VN 2019, Điều 15
        "fee": 200_000,  # TT 25/2021/TT-BTC
        "online_level": "FULL",
        "documents": (
            "Tờ khai đề nghị cấp hộ chiếu phổ thông (Mẫu TK01)",
            "02 ảnh chân dung",
            "Hộ chiếu cũ (nếu có)",
        ),
    },
)

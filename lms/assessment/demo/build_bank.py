"""Build ``bank.xlsx``: the question bank of the demo course 智能手机入门, in the import
template of ``lms/assessment/importing.py`` (docs/assessment.md). Every row below is what
the sheet holds, answer key included; run it again after changing a row:

    python -m lms.assessment.demo.build_bank

seed-demo imports the file through the bank's own import (``import_questions``), draws the
final exam's 10 questions from it and pins the two questions tagged 屏幕 as checkpoints of
the first lesson.
"""

from pathlib import Path

HEADER = ("题型", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F",
          "答案", "分值", "难度", "知识点", "解析")  # fmt: skip
BANK = Path(__file__).with_name("bank.xlsx")

# 题型, 题干, 选项A-D, 答案, 分值, 难度, 知识点, 解析
ROWS = (
    ("单选", "想让手机屏幕亮起来，应该怎么做？", "按一下侧面的电源键", "用力摇晃手机",
     "对着手机说话", "把手机倒过来", "A", 10, "易", "屏幕", "按一下侧面的电源键，屏幕就亮了。"),
    ("判断", "从屏幕底部往上滑，可以回到主屏幕。", "", "", "", "", "正确", 10, "易", "屏幕",
     "大多数手机从底部往上滑就回到主屏幕。"),
    ("单选", "手机上的字太小，看不清，应该去哪里调大？", "相册", "设置", "计算器", "日历",
     "B", 10, "易", "屏幕", "在“设置”的“显示”或“字体大小”里调大字体。"),
    ("填空", "打开一个应用，只要用手指在它的____上轻轻一点。", "", "", "", "",
     "图标|图标儿|app图标", 10, "中", "屏幕", "手指在图标上轻轻一点，就能打开应用。"),
    ("单选", "用微信打视频电话，找到家人后应该点哪里？", "右下角的“+”，再选“视频通话”",
     "手机的电源键", "微信的“发现”", "相机", "A", 10, "中", "视频通话",
     "在聊天界面点右下角的“+”，选择“视频通话”。"),
    ("判断", "视频通话说完了，点红色按钮就能挂断。", "", "", "", "", "正确", 10, "易",
     "视频通话", "红色按钮是挂断。"),
    ("单选", "对方没有接听视频电话，最好怎么办？", "一直不停地拨打", "过一会儿再打，或者先发条消息",
     "把手机关机", "删除对方", "B", 10, "中", "视频通话", "对方可能在忙，稍后再打或留言。"),
    ("多选", "接到陌生来电要你转账，正确的做法有哪些？", "先挂断电话", "打电话给家人或96110核实",
     "马上按对方说的转账", "把银行卡密码告诉对方", "AB", 10, "中", "防诈骗",
     "陌生来电要转账，先挂断再核实。"),
    ("判断", "短信里的验证码可以告诉自称是银行客服的人。", "", "", "", "", "错误", 10, "易",
     "防诈骗", "验证码不告诉任何人，银行客服也不会向你要验证码。"),
    ("单选", "收到陌生短信，里面有一个链接，应该怎么办？", "马上点开看看", "转发给朋友",
     "不点链接，删掉或问问家人", "回复短信要求解释", "C", 10, "中", "防诈骗",
     "不点陌生短信里的链接。"),
    ("填空", "拿不准是不是诈骗，可以拨打反诈专线____。", "", "", "", "", "96110", 10, "难",
     "防诈骗", "96110 是全国反诈预警劝阻专线。"),
    ("多选(部分得分)", "下面哪些是防范电信诈骗的好习惯？", "陌生来电要转账，先挂断再核实",
     "不点陌生短信里的链接", "验证码只告诉熟人", "拿不准就问问家人", "ABD", 10, "难",
     "防诈骗", "验证码不告诉任何人，熟人也不行。"),
)  # fmt: skip


def build(path: Path = BANK) -> Path:
    from openpyxl import Workbook  # not at the top: seed-demo imports this module for BANK

    book = Workbook()
    sheet = book.active
    sheet.title = "题库"
    sheet.append(HEADER)
    for kind, stem, a, b, c, d, answer, points, difficulty, tags, explanation in ROWS:
        sheet.append((kind, stem, a, b, c, d, "", "", answer, points, difficulty, tags,
                      explanation))  # fmt: skip
    widths = (14, 40, 22, 22, 22, 22, 8, 8, 16, 8, 8, 12, 40)
    for column, width in zip("ABCDEFGHIJKLM", widths, strict=True):
        sheet.column_dimensions[column].width = width
    book.save(path)
    return path


if __name__ == "__main__":
    print(build())

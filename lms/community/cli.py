"""The community part of ``flask lms seed-demo``."""

from lms.cli import DEFAULT_DEMO_OPTIONS, DemoOptions

DEMO_ORGANISATION = "柯桥纺织示范企业（演示学习型组织）"
DEMO_CRITERIA = (
    ("学习制度与计划", "有年度学习计划、学习制度和专人负责", 20),
    ("学习活动开展", "定期组织培训、读书会等学习活动，有记录", 30),
    ("学习成效", "成员学时、证书与技能提升情况", 30),
    ("学习氛围与资源", "学习场地、图书资料、线上学习资源", 20),
)
DEMO_SCORES = (18, 28, 27, 19)
# (username, course number, stars, comment): each learner studied enough of the course
# (the credits seeder's DEMO_STUDY) to rate it.
DEMO_RATINGS = (
    ("learner", 0, 5, "讲得很清楚，一步一步教，适合长辈。"),
    ("learner2", 0, 4, "字大、声音清楚，就是希望再讲慢一点。"),
    ("learner4", 0, 4, "给爸妈看的，很实用，防诈骗那课一定要看。"),
    ("learner3", 1, 5, "步骤清楚，家里有老人小孩的都该学一学。"),
    ("learner4", 1, 4, "心肺复苏讲得很明白，建议再配一次线下演练。"),
    ("learner", 2, 5, "老师讲得生动，想跟着学唱《十八相送》。"),
    ("learner2", 2, 5, "小时候常听的戏，听着亲切！"),
)


def seed_ratings() -> list[str]:
    """The demo learners' ratings, through the ratings service (which refuses a learner
    who studied less than 30% of the course); a rating given is never changed."""
    from lms.accounts.services import find_user_by_username
    from lms.community import ratings
    from lms.community.services import CommunityError
    from lms.courses.cli import demo_course

    lines, given = [], 0
    for username, course_number, stars, comment in DEMO_RATINGS:
        course, learner = demo_course(course_number), find_user_by_username(username)
        if course is None or ratings.own_rating(course, learner.id) is not None:
            continue
        try:
            ratings.rate_course(course, stars, comment, learner=learner)
        except CommunityError as error:
            lines.append(f"  no demo rating of {course.title} by {username}: {error}")
        else:
            given += 1
    return [f"Demo course ratings: {given} given now", *lines]


# (username, share of the first lesson's video the question is about or None, question,
# the teacher's answer or None)
DEMO_QUESTIONS = (
    (
        "learner2",
        0.5,
        "这里说的“设置”在手机哪个地方？我找不到。",
        "在桌面上找齿轮形状的图标，点开就是设置。",
    ),
    ("learner4", None, "字体调大以后，微信里的字也会变大吗？", None),
)


def seed_questions() -> list[str]:
    """Questions on the first demo course's first lesson, one answered by its teacher
    (only while that lesson has none)."""
    from sqlalchemy import select

    from lms.accounts.models import User
    from lms.accounts.services import find_user_by_username
    from lms.community import questions
    from lms.community.models import LessonQuestion
    from lms.community.services import CommunityError
    from lms.courses.cli import demo_course
    from lms.extensions import db

    course = demo_course(0)
    if course is None or not course.lessons:
        return []
    lesson = course.lessons[0]
    if db.session.scalar(select(LessonQuestion.id).where(LessonQuestion.lesson_id == lesson.id)):
        return ["Demo questions on lessons: exist"]
    teacher = db.session.get(User, min(course.teacher_ids)) if course.teacher_ids else None
    asked = 0
    for username, share, body, answer in DEMO_QUESTIONS:
        learner = find_user_by_username(username)
        try:
            at = None if share is None else round(lesson.duration * share, 1)
            question = questions.ask_question(lesson, body, at, learner=learner)
        except CommunityError:
            continue
        asked += 1
        if answer and teacher is not None:
            questions.answer_question(question, answer, actor=teacher)
    return [f"Demo questions on lessons: {asked} asked"]


def seed_community(password: str, options: DemoOptions = DEFAULT_DEMO_OPTIONS) -> list[str]:
    """Course ratings, and a learning organisation with the demo learner, managed by the
    demo staff user, a training assignment and a star of the year (idempotent)."""
    from datetime import timedelta

    from sqlalchemy import select

    from lms.accounts.services import find_user_by_username
    from lms.community import evaluations, notifications, services, stars, training
    from lms.community.models import Organisation
    from lms.courses.cli import DEMO_COURSE_TITLE
    from lms.courses.models import Course
    from lms.extensions import db
    from lms.timeutil import local_date, utcnow

    lines = seed_ratings() + seed_questions()
    if db.session.scalar(select(Organisation).where(Organisation.name == DEMO_ORGANISATION)):
        return [*lines, "Demo learning organisation: exists"]
    admin, staff = find_user_by_username("admin"), find_user_by_username("staff")
    learner = find_user_by_username("learner")
    today = local_date(utcnow())
    organisation = services.create_organisation(
        services.OrganisationSettings(
            DEMO_ORGANISATION, "enterprise", staff.town_id, "每年组织职工安全生产与数字技能培训。"
        ),
        actor=admin,
        manager=staff,
    )
    invite = services.create_invite(organisation, actor=staff)
    services.join_with_code(invite.code, user=learner)
    course = db.session.scalar(select(Course).where(Course.title == DEMO_COURSE_TITLE))
    lines.append(f"Demo learning organisation: {DEMO_ORGANISATION} (invite code {invite.code})")
    if course is not None:
        training.assign_training(
            organisation,
            course,
            f"{today.year}年度职工数字技能培训",
            today + timedelta(days=30),
            actor=staff,
            learner_ids=[learner.id],
        )
    if not evaluations.active_criteria():
        for title, description, max_score in DEMO_CRITERIA:
            evaluations.add_criterion(title, description, max_score, actor=admin)
    criteria = evaluations.active_criteria()
    if [c.title for c in criteria] == [title for title, _, _ in DEMO_CRITERIA]:
        evaluation = evaluations.evaluate(
            organisation,
            today.year,
            [
                evaluations.ScoreInput(criterion.id, score, "演示：查阅了学习台账与活动记录")
                for criterion, score in zip(criteria, DEMO_SCORES, strict=True)
            ],
            actor=admin,
        )
        if evaluation.rating == evaluations.AWARDED_RATING:
            evaluations.award(evaluation, actor=admin)
    stars.set_honour_choice(learner, "surname")
    nomination = stars.nominate(
        learner, today.year, "年过六旬坚持每周学习，带动邻里一起学用智能手机。", actor=staff
    )
    stars.select_star(nomination, actor=admin)
    notifications.notify_decided_recognitions()
    notifications.notify_classes_tomorrow()
    lines.append("  the demo learner: a training assignment, star of the year")
    return lines

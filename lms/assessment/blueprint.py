"""The assessment blueprint: every URL rule of the domain, in one list."""

from flask import Blueprint

bp = Blueprint("assessment", __name__)

GET, POST, PUT = ["GET"], ["POST"], ["PUT"]
FORM = ["GET", "POST"]

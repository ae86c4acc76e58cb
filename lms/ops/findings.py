"""What a check of `flask lms doctor` finds: one line each."""

from dataclasses import dataclass

OK, WARN, FAIL = "ok", "warn", "FAIL"


@dataclass(frozen=True)
class Finding:
    level: str
    subject: str
    message: str

    def line(self) -> str:
        return f"{self.level:<5} {self.subject}: {self.message}"

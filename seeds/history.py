"""Replaying the planned steps in time order through the services, with the clock moved back.

Each step runs in a savepoint: a step the rules refuse at that moment (say, a mission that
needs Silver before the advocate got there) is rolled back and counted as skipped, exactly as
the portal would have refused it.
"""

import random
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app.models import Advocate, Attempt, AttemptState, Evidence, LedgerReason, Mission, StaffUser
from app.services import missions
from app.services.errors import DomainError
from app.services.messaging import notifications
from app.services.points import ledger
from app.services.points import status as status_service
from seeds.plan import Step

LINKS = {
    "review_site": "https://www.g2.com/products/rallypoint/reviews/rallypoint-review-{n}",
    "social_post": "https://www.linkedin.com/posts/activity-{n}",
    "case_study": "https://rallypoint.test/customers/{slug}",
    "webinar_guest": "https://rallypoint.test/webinars/recording-{n}",
    "conference_speaking": "https://rallypoint.test/summit/talks/{n}",
}
TEXTS = {
    "testimonial_quote": "\"{company} cut its reporting time in half in the first quarter. The team actually "
                         "enjoys the weekly review now.\" — {name}",
    "referral": "Introduced a peer at {peer}: they are rolling out a similar program next quarter and "
                "would like a demo.",
    "beta_feedback": "Used it daily for two weeks. Saved views are great; filters on mobile are still "
                     "fiddly and exports time out above 50k rows.",
    "reference_call": "Spoke with their operations lead for 35 minutes about rollout and support. They "
                      "asked mostly about integrations.",
    "advisory_board": "Happy to join. Available for the quarterly sessions; most interested in the "
                      "analytics roadmap.",
}
REJECTIONS = (
    "The link goes to your profile rather than the review itself; could you paste the review's own link?",
    "We could not open the post; it may be visible to connections only. Could you make it public?",
    "Thanks! Could you add a sentence on the result you saw, so we can quote it?",
)
APPROVAL_NOTES = (None, None, "Thank you, this is great!", "Lovely, thanks for taking the time.")
PEERS = ("Lumen Learning Co", "Kiwi Cloud", "Summit Travel", "Helix Biotech")


@dataclass
class Replay:
    session: Session
    rng: random.Random
    advocates: dict[int, Advocate]
    missions: dict[str, Mission]
    admin: StaffUser
    marketing: StaffUser
    attempts: dict[str, int] = field(default_factory=dict)
    outcome: Counter = field(default_factory=Counter)

    def run(self, steps: list[Step]) -> Counter:
        for step in sorted(steps):
            try:
                with self.session.begin_nested():
                    getattr(self, f"_{step.kind}")(step)
                self.outcome[step.kind] += 1
            except DomainError:
                self.outcome[f"{step.kind} refused"] += 1
        return self.outcome

    def _attempt(self, step: Step) -> Attempt:
        attempt_id = self.attempts.get(step.data["plan"])
        if attempt_id is None:
            raise DomainError("The attempt was never started.")
        return self.session.get(Attempt, attempt_id)

    def _start(self, step: Step) -> None:
        attempt = missions.start_mission(self.session, advocate=self.advocates[step.advocate_id],
                                         mission_id=self.missions[step.data["mission"]].id, now=step.at)
        self.attempts[step.data["plan"]] = attempt.id

    def _decline(self, step: Step) -> None:
        missions.decline_mission(self.session, advocate=self.advocates[step.advocate_id],
                                 mission_id=self.missions[step.data["mission"]].id, now=step.at,
                                 reason=self.rng.choice(("Busy quarter, maybe next time.", None)))

    def _submit(self, step: Step) -> None:
        attempt = self._attempt(step)
        missions.submit_attempt(self.session, advocate=self.advocates[step.advocate_id],
                                attempt_id=attempt.id, evidence=self._evidence(attempt), now=step.at)

    def _approve(self, step: Step) -> None:
        staff = self.admin if self.rng.random() < 0.2 else self.marketing
        missions.approve_attempt(self.session, staff=staff, attempt_id=self._attempt(step).id,
                                 now=step.at, note=self.rng.choice(APPROVAL_NOTES))

    def _reject(self, step: Step) -> None:
        missions.reject_attempt(self.session, staff=self.marketing, attempt_id=self._attempt(step).id,
                                reason=self.rng.choice(REJECTIONS), now=step.at)

    def _expire(self, step: Step) -> None:
        attempt = self._attempt(step)
        if attempt.state == AttemptState.STARTED:
            missions.expire_attempt(self.session, attempt=attempt, now=step.at)

    def _ledger(self, step: Step) -> None:
        reason = step.data["reason"]
        ledger.post_entry(self.session, advocate_id=step.advocate_id, amount=step.data["amount"],
                          reason=reason, idempotency_key=f"seed-{reason.value}:{step.advocate_id}:{step.seq}",
                          note=step.data["note"], now=step.at,
                          actor_id=self.admin.id if reason == LedgerReason.BONUS else None)

    def _set_status(self, step: Step) -> None:
        status_service.set_status(self.session, advocate=self.advocates[step.advocate_id],
                                  to=step.data["status"], reason=step.data["reason"],
                                  actor_id=self.admin.id, now=step.at)

    def _visit(self, step: Step) -> None:
        notifications.mark_all_read(self.session, advocate_id=step.advocate_id, now=step.at)
        self.advocates[step.advocate_id].last_login_at = step.at

    def _evidence(self, attempt: Attempt) -> missions.EvidenceInput:
        activity, advocate = attempt.activity, self.advocates[attempt.advocate_id]
        n = self.rng.randint(100_000, 999_999)
        if activity.evidence == Evidence.LINK:
            slug = advocate.company.lower().replace(" ", "-")
            return missions.EvidenceInput(link=LINKS[activity.key].format(n=n, slug=slug))
        if activity.evidence == Evidence.TEXT:
            return missions.EvidenceInput(text=TEXTS[activity.key].format(
                company=advocate.company, name=advocate.name, peer=self.rng.choice(PEERS)))
        return missions.EvidenceInput()

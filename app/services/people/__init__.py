"""People: accounts and invitations, signing in, sessions, passwords, preferences, staff, the advocate
directory and an advocate's lifecycle, erasure and data export."""

from app.services.people.accounts import (
    AdvocateProfile,
    accept_invite,
    invite_advocate,
    invite_staff,
    invite_state,
    list_invites,
    normalise_email,
    open_invite,
    reissue_invite,
    update_preferences,
)
from app.services.people.book import Book, csm_book
from app.services.people.data_export import export_data
from app.services.people.directory import (
    advocate_record,
    csm_choices,
    evidence_file_name,
    get_advocate,
    get_attempt,
    overview,
    search_advocates,
)
from app.services.people.erasure import Erasure, erase_advocate, erase_my_data
from app.services.people.lifecycle import (
    Changes,
    allowed_moves,
    apply_imported,
    change_advocate,
    history,
    leave_program,
    move_problem,
    owner_by_email,
    owner_choices,
)
from app.services.people.password_resets import complete_reset, open_reset, purge, request_reset
from app.services.people.passwords import hash_password, needs_rehash, profile, use_profile, verify_password
from app.services.people.preferences import email_choices, set_email_opt_outs
from app.services.people.sessions import end, end_all, end_all_of, is_remembered, live_count, load_user, start
from app.services.people.sign_in import ThrottlePolicy, change_password
from app.services.people.staff import (
    change_role,
    deactivate,
    get_staff,
    list_staff,
    reactivate,
    resend_invite,
)
from app.services.people.throttle import (
    Limit,
    client,
    count_attempt,
    give_back,
    key,
    refusal,
    release,
    reserve,
)

__all__ = [
    "AdvocateProfile", "accept_invite", "invite_advocate", "invite_staff", "invite_state", "list_invites",
    "normalise_email", "open_invite", "reissue_invite", "update_preferences", "export_data",
    "Book", "csm_book", "advocate_record", "csm_choices", "evidence_file_name", "get_advocate", "get_attempt",
    "overview",
    "search_advocates", "Erasure", "erase_advocate", "erase_my_data", "Changes", "allowed_moves",
    "apply_imported", "change_advocate", "history", "leave_program", "move_problem", "owner_by_email",
    "owner_choices", "complete_reset", "open_reset", "purge", "request_reset", "hash_password",
    "needs_rehash", "profile", "use_profile", "verify_password", "email_choices", "set_email_opt_outs",
    "end", "end_all", "end_all_of", "is_remembered", "live_count", "load_user", "start", "ThrottlePolicy",
    "change_password", "change_role", "deactivate", "get_staff", "list_staff", "reactivate",
    "resend_invite", "Limit", "client", "count_attempt", "give_back", "key", "refusal", "release",
    "reserve"
]

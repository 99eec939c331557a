"""The catalog's pictures (services.pictures): cropped to the kind's box from the centre, stored under a
new token, nothing stored or changed for a bad file, the old file kept until the caller discards it."""

from io import BytesIO

import pytest
from PIL import Image

from app.services import pictures
from app.services.errors import NotFound, ValidationFailed
from tests.factories import make_mission, make_reward


def _png(size, colour=(0, 0, 255)) -> bytes:
    out = BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def test_a_mission_banner_is_cropped_from_the_centre_and_replaced_cleanly(session, tmp_path):
    tmp_path = tmp_path / "pictures"
    mission = make_mission(session)
    tall = Image.new("RGB", (900, 900), (0, 0, 255))
    tall.paste((255, 0, 0), (0, 300, 900, 600))  # a red band across the middle third
    out = BytesIO()
    tall.save(out, format="PNG")
    first = pictures.set_picture(session, kind="mission", item_id=mission.id, folder=tmp_path,
                                 data=out.getvalue())
    assert (first.old, mission.picture) == ("", first.token)
    with Image.open(tmp_path / first.token) as banner:
        assert banner.size == (960, 320)
        assert banner.convert("RGB").getpixel((480, 10))[0] > 200  # the centre (red), not the blue edge
        assert banner.convert("RGB").getpixel((480, 310))[0] > 200
    second = pictures.set_picture(session, kind="mission", item_id=mission.id, folder=tmp_path,
                                  data=_png((100, 100)))
    assert second.old == first.token and (tmp_path / first.token).exists()  # kept until after the commit
    pictures.discard_replaced(tmp_path, second)
    assert sorted(p.name for p in tmp_path.iterdir()) == [second.token]
    assert pictures.path_of(session, kind="mission", item_id=mission.id, token=second.token,
                            folder=tmp_path) == tmp_path / second.token
    with pytest.raises(NotFound):
        pictures.path_of(session, kind="mission", item_id=mission.id, token=first.token, folder=tmp_path)


def test_a_bad_file_changes_nothing_and_names_the_field(session, tmp_path):
    tmp_path = tmp_path / "pictures"
    reward = make_reward(session)
    with pytest.raises(ValidationFailed) as refused:
        pictures.set_picture(session, kind="reward", item_id=reward.id, folder=tmp_path, data=b"GIF89a...")
    assert refused.value.field == "picture" and "not a PNG, JPEG or WebP" in refused.value.message
    assert reward.picture == "" and not tmp_path.exists()


def test_clearing_returns_the_file_to_discard_and_unknown_kinds_or_rows_are_not_found(session, tmp_path):
    reward = make_reward(session)
    stored = pictures.set_picture(session, kind="reward", item_id=reward.id, folder=tmp_path,
                                  data=_png((10, 10)))
    cleared = pictures.clear_picture(session, kind="reward", item_id=reward.id)
    assert (reward.picture, cleared.old) == ("", stored.token)
    with pytest.raises(NotFound):
        pictures.set_picture(session, kind="reward", item_id=reward.id + 99, folder=tmp_path,
                             data=_png((9, 9)))
    with pytest.raises(NotFound):
        pictures.folder_in(tmp_path, "../etc")

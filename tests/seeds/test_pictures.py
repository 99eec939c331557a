"""The demo's pictures: `flask seed demo` gives three rewards and three missions a drawn picture, stored
like an upload (cropped to the kind's box), served to a signed-in advocate."""

from PIL import Image
from sqlalchemy import select

from app.models import Advocate, Mission, Reward
from app.services import pictures


def test_seed_demo_draws_pictures_for_the_showcase_rewards_and_missions(app, session, login):
    result = app.test_cli_runner().invoke(args=["seed", "demo", "--advocates", "12"])
    assert result.exit_code == 0, result.output
    rewards = [r for r in session.scalars(select(Reward)) if r.picture]
    missions = [m for m in session.scalars(select(Mission)) if m.picture]
    assert {r.name for r in rewards} == {"Rallypoint hoodie", "Plant a grove: 25 EUR donation",
                                         "Summit VIP pass"}
    assert len(missions) == 3
    for kind, rows in (("reward", rewards), ("mission", missions)):
        for row in rows:
            with Image.open(pictures.folder_in(app.config["UPLOAD_FOLDER"], kind) / row.picture) as image:
                assert image.size == pictures.size_of(kind)
    client = login(session.scalars(select(Advocate)).first())
    with client.get(f"/pictures/reward/{rewards[0].id}/{rewards[0].picture}") as served:
        assert served.status_code == 200

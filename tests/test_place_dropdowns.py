"""The province and district drop-downs (issue 14): grouped by country under the country's name in the page's
language, South Africa first, on every page that has them (Flask client, a real SQLite file)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest

from network.model import vocabulary
from tests.api_support import Env, close_store, make_env, signed_in_page

#: Where each page has its drop-downs: (path, the select ids grouped by country).
PAGES = [("/explore", ("f-province", "f-district")), ("/agenda", ("f-province", "f-district")),
         ("/findings/gaps", ("f-province",)), ("/referrals", ("f-district",))]


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    made = make_env(tmp_path / "dropdowns.db")
    yield made
    close_store(made.app)


def groups(page: str, select_id: str) -> list[tuple[str, list[str]]]:
    """The ``<optgroup>`` labels of the select ``select_id`` and the option values under each."""
    body = re.search(rf'<select name="[a-z_]+" id="{select_id}"[^>]*>(.*?)</select>', page, re.S)
    assert body, select_id
    found = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', body.group(1), re.S)
    outside = re.sub(r"<optgroup.*?</optgroup>", "", body.group(1), flags=re.S)
    assert outside.count("<option ") == 1, "only the blank option stands outside the groups"
    return [(unescape(name), [unescape(v) for v in re.findall(r'<option value="([^"]*)"', options)])
            for name, options in found]


@pytest.mark.parametrize(("path", "selects"), PAGES)
def test_the_drop_downs_group_places_under_country_names(env: Env, path: str, selects: tuple[str, ...]) -> None:
    voc = vocabulary()
    page = env.client.get(path).get_data(as_text=True)
    for select_id in selects:
        found = groups(page, select_id)
        names = [name for name, _ in found]
        assert names[0] == "South Africa" and "ZA" not in names and "LS" not in names
        assert names[1:] == sorted(names[1:]) and set(names) == set(voc.countries.values())
        by_name = dict(found)
        if select_id == "f-province":
            assert by_name["South Africa"] == list(voc.provinces_of("ZA"))
            assert by_name["Lesotho"] == voc.provinces_of("LS") and "Limpopo" not in by_name["Lesotho"]
            assert sum(len(values) for values in by_name.values()) == len(voc.provinces) == 222
        else:
            assert len(by_name["South Africa"]) == 52 and by_name["South Africa"] == sorted(by_name["South Africa"])
            assert "Maseru" in by_name["Lesotho"] and "Maseru" not in by_name["South Africa"]
            assert sum(len(values) for values in by_name.values()) == len(voc.districts)


@pytest.mark.parametrize(("lang", "south_africa", "lesotho", "mozambique"), [
    ("pt", "África do Sul", "Lesoto", "Moçambique"), ("fr", "Afrique du Sud", "Lesotho", "Mozambique")])
def test_the_group_names_are_translated(env: Env, lang: str, south_africa: str, lesotho: str,
                                        mozambique: str) -> None:
    page = env.client.get(f"/explore?lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang}">' in page
    names = [name for name, _ in groups(page, "f-province")]
    assert names[0] == south_africa and lesotho in names and mozambique in names and "South Africa" not in names
    assert f'<option value="MZ">{mozambique}</option>' in page  # the country filter in the same words


def test_a_chosen_province_stays_selected_inside_its_group(env: Env) -> None:
    page = env.client.get("/explore?province=Gaza&country=MZ").get_data(as_text=True)
    mozambique = dict(groups(page, "f-province"))["Mozambique"]
    assert "Gaza" in mozambique and '<option value="Gaza" selected>Gaza</option>' in page


def test_the_edit_form_groups_provinces_and_districts_too(env: Env) -> None:
    client, _ = signed_in_page(env, "editor")
    page = client.get("/edit/organisation").get_data(as_text=True)
    for select_id in ("f-province", "f-district"):
        names = [name for name, _ in groups(page, select_id)]
        assert names[0] == "South Africa" and "Lesotho" in names
    edited = client.get("/edit/organisation/" + next(iter(env.store.iter_organisations())).id)
    text = edited.get_data(as_text=True)
    chosen = re.search(r'<select name="district" id="f-district".*?</select>', text, re.S).group(0)
    assert chosen.count(" selected") <= 1

"""What changed, in Portuguese and French: the /changes page's record changes (an organisation added, a link expired)
and a record's history page (its services changed) on a store changed through the API (a real SQLite file), said
by their sentence templates with names kept and labels, dates and field names in the page's language; English
unchanged."""

from __future__ import annotations

import html

from tests.api_support import Env, between, write

EXPIRED_ON = "2026-10-11"


def changed(env: Env) -> dict[str, str]:
    """Add an organisation, expire a referral agreement and add a service to the new organisation between two
    moments; the page's query for them."""
    since = between()
    write(env, "post", "/api/v1/organisations", id="new-cbo", name="Tubatse Youth Care", kind="cbo",
          province="Limpopo", district="Sekhukhune", services=["peer_education"])
    write(env, "patch", "/api/v1/organisations/new-cbo", services=["peer_education", "tb_screening"])
    write(env, "patch", "/api/v1/links/l-ref-1", status="expired", end_date=EXPIRED_ON)
    return {"from": since.isoformat(), "to": between().isoformat()}


def page(env: Env, path: str, code: str, **query: str) -> str:
    answer = env.client.get(path, query_string={**query, "lang": code})
    assert answer.status_code == 200
    text = html.unescape(answer.get_data(as_text=True))
    assert f'<html lang="{code}">' in text
    return text


def test_the_changes_and_a_history_read_in_portuguese_and_french_and_english_is_unchanged(env: Env) -> None:
    moments = changed(env)
    expired = next(c["explanation"] for c in env.client.get("/api/v1/analysis/diff", query_string=moments)
                   .get_json()["records"]["expired"])
    ends = expired.removeprefix("Referral agreement from ").removesuffix(" expired on 11 October 2026.")
    source, target = ends.split(" to ")
    assert expired == f"Referral agreement from {source} to {target} expired on 11 October 2026."

    english = page(env, "/changes", "en", **moments)
    assert "Tubatse Youth Care (community-based organisation) added." in english
    assert expired in english
    portuguese = page(env, "/changes", "pt", **moments)
    assert "Tubatse Youth Care (organização de base comunitária): entrada no registo." in portuguese
    assert f"Acordo de encaminhamento de {source} para {target} expirou a 11 de outubro de 2026." in portuguese
    french = page(env, "/changes", "fr", **moments)
    assert "Tubatse Youth Care (organisation communautaire de base) : ajout au registre." in french
    assert f"Accord d’orientation de {source} vers {target} a expiré le 11 octobre 2026." in french
    for text in (portuguese, french):
        assert "added." not in text and "expired on" not in text

    history = "/history/organisation/new-cbo"
    assert "Services: added TB screening." in page(env, history, "en")
    assert "Created: Tubatse Youth Care (community-based organisation)." in page(env, history, "en")
    portuguese = page(env, history, "pt")
    assert "Serviços: passa a incluir rastreio da TB." in portuguese
    assert "Criação: Tubatse Youth Care (organização de base comunitária)." in portuguese
    french = page(env, history, "fr")
    assert "Services : inclut désormais dépistage de la TB." in french
    assert "Création : Tubatse Youth Care (organisation communautaire de base)." in french


def test_the_api_gives_a_records_changes_in_the_callers_language(env: Env) -> None:
    changed(env)
    url = "/api/v1/organisations/new-cbo/history"
    english = env.client.get(url, headers={"Accept-Language": "en"}).get_json()["items"]
    french = env.client.get(url, headers={"Accept-Language": "fr"}).get_json()["items"]
    assert [v["changes"] for v in english] == [
        ["Created: Tubatse Youth Care (community-based organisation)."], ["Services: added TB screening."]]
    assert [v["changes"] for v in french] == [
        ["Création : Tubatse Youth Care (organisation communautaire de base)."],
        ["Services : inclut désormais dépistage de la TB."]]

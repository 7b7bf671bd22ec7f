"""Not-found messages, import problems and the command line's help in the caller's language: the API by
Accept-Language, the command line by ``--language`` or the environment (Flask client, real SQLite files)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from network.cli import cli
from network.errors import Conflict, NotFound, StaleWrite
from network.graph.sqlite import SQLiteStore
from network.graph.surveys import surveys_of
from network.io.rows import REQUIRED_LINK_COLUMNS, REQUIRED_ORGANISATION_COLUMNS
from network.model import Link, Organisation
from network.translation import current_language, use_language
from tests.api_support import Env, network_file

#: An environment that names no language, so only what a test sets counts.
NEUTRAL = {"CSSNET_LANGUAGE": "", "LANGUAGE": "", "LC_ALL": "", "LANG": "C.UTF-8"}


def run(db: Path, *args: str, **env: str):
    return CliRunner().invoke(cli, ["--store", str(db), *args], env={**NEUTRAL, **env}, catch_exceptions=False,
                              prog_name="cssnet")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return network_file(tmp_path / "messages.db")


def test_a_missing_organisation_is_not_found_in_the_callers_language(env: Env) -> None:
    portuguese = env.client.get("/api/v1/organisations/ghost-org",
                                headers={**env.auth("editor"), "Accept-Language": "pt-MZ,pt;q=0.9"})
    assert portuguese.status_code == 404
    assert portuguese.get_json()["message"] == "Não há nenhuma organização com o identificador 'ghost-org'."
    french = env.client.get("/api/v1/links/l-none", headers={**env.auth("editor"), "Accept-Language": "fr"})
    assert french.status_code == 404
    assert french.get_json()["message"] == "Aucun lien n’a l’identifiant « l-none »."
    english = env.client.get("/api/v1/organisations/ghost-org", headers=env.auth("editor"))
    assert english.get_json()["message"] == "No organisation with id 'ghost-org'."


def test_the_store_says_what_is_missing_in_the_language_set(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "missing.db")
    try:
        use_language("fr")
        with pytest.raises(NotFound) as missing:
            store.revoke_token("t-none")
        assert missing.value.message == "Aucun jeton n’a l’identifiant « t-none »."
        with pytest.raises(NotFound) as missing:
            surveys_of(store).get_round("r-none")
        assert missing.value.message == "Aucune vague d’enquête n’a l’identifiant « r-none »."
        use_language("pt")
        with pytest.raises(NotFound) as missing:
            store.delete_link("l-none")
        assert missing.value.message == "Não há nenhuma ligação com o identificador 'l-none'."
    finally:
        use_language(None)
        store.close()
    assert current_language() == "en"


def test_import_help_in_portuguese_by_the_language_option(db: Path) -> None:
    shown = run(db, "--language", "pt", "import", "--help")
    assert shown.exit_code == 0
    assert shown.output.startswith("Utilização: cssnet import [OPTIONS] [ORGANISATIONS] [LINKS]\n")
    text = " ".join(shown.output.split())
    assert ("Importar ORGANISATIONS.csv e/ou LINKS.csv (ou um ficheiro .xlsx, .json ou .graphml): tudo ou nada. "
            "Qualquer linha com erros recusa toda a importação;") in text
    assert "Opções: --progress / --no-progress Mostrar uma barra de progresso nas importações longas." in text
    assert "-h, --help Mostrar esta mensagem e sair." in text
    assert "Import ORGANISATIONS" not in text and "Show" not in text and "Usage" not in text


def test_help_in_portuguese_from_the_environment(db: Path) -> None:
    shown = run(db, "survey", "open", "--help", CSSNET_LANGUAGE="pt")
    text = " ".join(shown.output.split())
    assert shown.exit_code == 0 and "Abrir a ronda de inquérito ROUND_ID." in text
    assert "--name TEXT O nome da ronda, tal como as páginas o mostram. [obrigatório]" in text
    assert "Primeiro dia em que se aceitam respostas (AAAA-MM-DD). [obrigatório]" in text
    listed = run(db, "--help", LANG="pt_MZ.UTF-8")
    text = " ".join(listed.output.split())
    assert "cssnet: a rede de parceiros de uma resposta comunitária de saúde." in text
    assert "Comandos: agenda A agenda de coordenação:" in text
    assert "token Criar, listar e revogar tokens da API." in text
    assert current_language() == "en", "the help's language does not outlive the command"


def test_the_group_help_follows_the_language_option_before_it(db: Path) -> None:
    shown = run(db, "--language", "fr", "--help")
    text = " ".join(shown.output.split())
    assert shown.exit_code == 0 and text.startswith("Utilisation : cssnet [OPTIONS] COMMAND [ARGS]...")
    assert "--version Afficher la version et quitter." in text
    assert "Commandes : agenda L’ordre du jour de coordination" in text
    assert "--format [text|json] [par défaut : text]" in " ".join(run(db, "--language=fr", "programme", "--help")
                                                                   .output.split())
    pathway = " ".join(run(db, "pathway", "--language", "st", "--help", LANG="fr_FR.UTF-8").output.split())
    assert "--language TEXT La langue du client (p. ex. st ou Sesotho)" in pathway, "pathway's own --language"


def test_help_stays_english_without_a_language(db: Path) -> None:
    text = " ".join(run(db, "import", "--help").output.split())
    assert text.startswith("Usage: cssnet import [OPTIONS] [ORGANISATIONS] [LINKS]")
    assert "Options: --progress / --no-progress Show a progress bar on long imports." in text
    assert "-h, --help Show this message and exit." in text


def _csv(columns: tuple[str, ...], *rows: dict[str, str]) -> bytes:
    lines = [",".join(columns), *(",".join(row.get(c, "") for c in columns) for row in rows)]
    return ("\n".join(lines) + "\n").encode()


ORGANISATIONS = _csv(REQUIRED_ORGANISATION_COLUMNS, {"id": "new-cbo", "name": "Thaba Care", "kind": "cbo"},
                     {"id": "bad-kind", "name": "Shop", "kind": "shop"})
LINKS = _csv(REQUIRED_LINK_COLUMNS, {"source": "new-cbo", "target": "ghost-org", "kind": "mou"})


def _kept(store: SQLiteStore) -> tuple[list[str], list[str]]:
    return sorted(o.id for o in store.iter_organisations()), sorted(link.id for link in store.iter_links())


def test_a_csv_import_refused_in_french_lists_the_row_problems_and_writes_nothing(env: Env) -> None:
    before = _kept(env.store)
    data = {"format": "csv", "organisations": (io.BytesIO(ORGANISATIONS), "organisations.csv"),
            "links": (io.BytesIO(LINKS), "links.csv")}
    refused = env.client.post("/api/v1/import", data=data, content_type="multipart/form-data",
                              headers={**env.auth("admin"), "Accept-Language": "fr-FR,fr;q=0.9"})
    assert refused.status_code == 422
    body = refused.get_json()
    assert body["message"] == (
        "Importation refusée, rien n’a été écrit : 2 problèmes : organisations.csv ligne 3, kind : Code inconnu pour "
        "type d’organisation : « shop ».; links.csv ligne 2, target : la cible « ghost-org » n’est pas une "
        "organisation connue.")
    assert body["errors"]["rows"] == [
        {"file": "organisations.csv", "row": 3, "field": "kind",
         "problem": "Code inconnu pour type d’organisation : « shop »."},
        {"file": "links.csv", "row": 2, "field": "target",
         "problem": "la cible « ghost-org » n’est pas une organisation connue."}]
    assert _kept(env.store) == before


def test_the_import_command_refuses_in_french_and_leaves_the_store_as_it_was(db: Path, tmp_path: Path) -> None:
    (tmp_path / "organisations.csv").write_bytes(ORGANISATIONS)
    (tmp_path / "links.csv").write_bytes(_csv(("id", *REQUIRED_LINK_COLUMNS),
                                              {"id": "l-x", "source": "new-cbo", "target": "ghost-org", "kind": "mou"},
                                              {"id": "L-X", "source": "new-cbo", "target": "clinic-a", "kind": "mou"}))
    store = SQLiteStore(db)
    before = _kept(store)
    store.close()
    refused = run(db, "--language", "fr", "import", "--no-progress", str(tmp_path / "organisations.csv"),
                  str(tmp_path / "links.csv"))
    assert refused.exit_code == 1
    lines = refused.output.splitlines()
    assert lines[0].startswith("erreur : Importation refusée, rien n’a été écrit : 3 problèmes : ")
    assert lines[1:] == [
        "  organisations.csv ligne 3, kind : Code inconnu pour type d’organisation : « shop ».",
        "  links.csv ligne 2, target : la cible « ghost-org » n’est pas une organisation connue.",
        "  links.csv ligne 3, id : l’identifiant de lien « L-X » figure aussi à la ligne 2 sous la forme « l-x » "
        "(les identifiants sont les mêmes quelle que soit la casse)."]
    store = SQLiteStore(db)
    assert _kept(store) == before
    store.close()
    english = run(db, "import", "--no-progress", str(tmp_path / "organisations.csv"), "-")
    assert english.exit_code == 1
    assert english.output.splitlines() == [
        "error: Import refused, nothing was written: 1 problem: organisations.csv row 3, kind: Unknown "
        "organisation kind 'shop'.",
        "  organisations.csv row 3, kind: Unknown organisation kind 'shop'."]


def test_the_stores_conflicts_are_in_the_callers_language(env: Env, tmp_path: Path) -> None:
    body = {"id": "CLINIC-A", "name": "Another Clinic", "kind": "clinic"}
    taken = env.client.post("/api/v1/organisations", json=body,
                            headers={**env.auth("editor"), "Accept-Language": "pt"})
    assert taken.status_code == 409
    assert taken.get_json()["message"] == (
        "Já existe uma organização com o identificador 'clinic-a'; os identificadores são únicos, sejam maiúsculas "
        "ou minúsculas, por isso 'CLINIC-A' não pode ser usado.")
    store = SQLiteStore(tmp_path / "conflicts.db")
    try:
        store.upsert(*small_network_of_two())
        use_language("fr")
        with pytest.raises(Conflict) as attached:
            store.delete_organisation("a")
        assert attached.value.message == ("L’organisation « a » a encore 1 lien ; supprimez-le d’abord ou supprimez "
                                          "en cascade.")
        with pytest.raises(StaleWrite) as stale:
            store.delete_link("l1", expected_version=7)
        assert stale.value.message == ("Le lien « l1 » a changé depuis sa lecture (version 7, maintenant 1) ; "
                                       "rechargez-le et appliquez à nouveau le changement.")
    finally:
        use_language(None)
        store.close()


def small_network_of_two() -> tuple[list[Organisation], list[Link]]:
    return [Organisation("a", "A", "cbo"), Organisation("b", "B", "clinic")], [Link("l1", "a", "b", "referral")]


def test_service_and_request_refusals_in_the_callers_language(env: Env, db: Path) -> None:
    wrong = env.client.post("/api/v1/organisations", data="id=x", content_type="text/plain",
                            headers={**env.auth("editor"), "Accept-Language": "fr"})
    assert wrong.status_code == 415 and wrong.get_json()["message"] == "Envoyez le corps en application/json."
    unbound = run(db, "--language", "pt", "token", "create", "--name", "Desk", "--role", "referrer")
    assert unbound.exit_code == 1
    assert "organisation: Um token de referrer atua em nome de uma organização: indique-a." in unbound.output


def test_stats_and_history_headings_in_the_command_lines_language(db: Path) -> None:
    stats = run(db, "stats", CSSNET_LANGUAGE="pt").output.splitlines()
    assert "organizações por tipo (5):" in stats and "ligações por estado (5):" in stats
    assert any(line.split() == ["nenhum", "1"] for line in stats), "the donor has no province"
    history = run(db, "--language", "fr", "history", "clinic-a").output
    assert history.startswith("Organisation clinic-a")
    assert run(db, "history", "l-ref-1", LANG="pt_PT.UTF-8").output.startswith("Ligação l-ref-1")


def test_the_import_progress_bar_speaks_french(db: Path, tmp_path: Path) -> None:
    rows = [{"id": f"org-{i}", "name": f"Group {i}", "kind": "cbo"} for i in range(5001)]
    (tmp_path / "organisations.csv").write_bytes(_csv(REQUIRED_ORGANISATION_COLUMNS, *rows))
    done = run(db, "import", str(tmp_path / "organisations.csv"), CSSNET_LANGUAGE="fr")
    assert done.exit_code == 0, done.output
    assert "importation des organisations" in done.stderr and " lignes" in done.stderr
    assert "importing" not in done.output


def test_clicks_own_refusals_in_the_command_lines_language(db: Path) -> None:
    missing = run(db, "survey", "open", "r1", CSSNET_LANGUAGE="fr")
    assert missing.exit_code == 2
    assert missing.output.splitlines()[-3:] == ["Essayez « cssnet survey open --help » pour obtenir de l’aide.", "",
                                                "Erreur : Option manquante : « --name »."]
    assert missing.output.startswith("Utilisation : cssnet survey open [OPTIONS] ROUND_ID")
    guessed = run(db, "--language", "pt", "stats", "--jso")
    assert guessed.exit_code == 2
    assert guessed.output.splitlines()[-1] == "Erro: Não existe a opção '--jso'. Queria dizer '--json'?"
    bad = run(db, "--language", "xx", "stats", LANG="pt_PT.UTF-8")
    assert bad.exit_code == 2 and bad.output.splitlines()[-1] == (
        "Erro: Valor inválido para '--language': 'xx' não é um de 'en', 'pt', 'fr', 'st', 'xh', 'nso', 'zu'.")
    days = run(db, "survey", "invite", "r1", "--days", "200", CSSNET_LANGUAGE="fr")
    assert days.exit_code == 2 and days.output.splitlines()[-1] == (
        "Erreur : Valeur non valide pour « --days » : 200 n’est pas dans l’intervalle 1<=x<=90.")
    refused = run(db, "invitation", "create", "clinic-a", "--days", "200", CSSNET_LANGUAGE="fr")
    assert refused.exit_code == 1 and refused.output.splitlines()[-1] == (
        "erreur : days: Donnez un nombre entier de jours de 1 à 90.")
    english = run(db, "survey", "open", "r1")
    assert english.exit_code == 2 and english.output.splitlines()[-1] == "Error: Missing option '--name'."
    assert "Try 'cssnet survey open --help' for help." in english.output


def test_a_write_without_if_match_is_told_in_the_callers_language(env: Env) -> None:
    refused = env.client.delete("/api/v1/organisations/donor-e",
                                headers={**env.auth("admin"), "Accept-Language": "fr"})
    assert refused.status_code == 428
    assert refused.get_json()["message"] == ("Envoyez If-Match avec l’ETag de l’organisation que vous avez lu (faites "
                                             "d’abord un GET) pour qu’un changement plus récent ne soit pas écrasé.")
    starred = env.client.delete("/api/v1/links/l-fund-4",
                                headers={**env.auth("admin"), "Accept-Language": "pt", "If-Match": "*"})
    assert starred.status_code == 412
    assert starred.get_json()["message"] == "If-Match: * não é aceite; envie o ETag da ligação 'l-fund-4' que leu."
    assert env.store.get_organisation("donor-e") and env.store.get_link("l-fund-4")

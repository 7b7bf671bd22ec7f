"""The benchmark networks: national (South Africa) by default, SADC-wide when asked."""

import argparse

import pytest

from bench.generate import countries_option, generate_network, sadc_countries
from network.model import vocabulary


def test_the_national_network_stays_in_south_africa():
    organisations, _ = generate_network(600, links_per_org=2, seed=5)
    vocab = vocabulary()
    assert {o.country for o in organisations} == {"ZA"}
    assert {vocab.country_of(o.province) for o in organisations if o.province} == {"ZA"}


def test_the_regional_network_spans_the_sadc_states_with_their_own_divisions():
    organisations, _ = generate_network(3000, links_per_org=2, seed=5, countries=sadc_countries())
    vocab = vocabulary()
    countries = {o.country for o in organisations}
    assert len(countries) >= 10 and countries <= set(sadc_countries())
    assert all(vocab.country_of(o.province) == o.country for o in organisations if o.province)


def test_the_countries_option_takes_sadc_or_known_codes_and_refuses_others():
    assert countries_option("sadc") == sadc_countries()
    assert countries_option("za, ls") == ("ZA", "LS")
    with pytest.raises(argparse.ArgumentTypeError, match="unknown country XX"):
        countries_option("ZA,XX")

"""The ``cssnet`` command: one module per command family, each adding its commands to ``cli``.

To add a family, write ``network/cli/<family>.py`` whose commands are decorated with ``@cli.command()``
(``from network.cli.base import cli``), and register it with one line in the import below: importing a
family's module registers its commands.

Help texts (a command's docstring, an option's ``help=``) are shown in the command line's language
(``network.cli.helptext``): the catalogs collect them from the commands, so after adding or changing one run
``python -m seed.catalogs`` and translate it, as for any other message.
"""

from network.cli import (  # noqa: F401
    analyses,  # report, agenda, pathway, viz
    history,  # history, diff
    monitoring,  # monitoring record, escalate, list, import
    partners,  # invitation create, list, withdraw; review list, accept, reject, trust
    programmes,  # programme
    records,  # stats, merge
    referrals,  # referral send, status, show, list, outcomes, retain
    serve,  # serve
    store,  # init, seed
    surveys,  # survey open, answer, load, results
    tokens,  # token create, list, revoke
    transfer,  # import, export, template
)
from network.cli.base import cli, main

__all__ = ["main", "cli"]

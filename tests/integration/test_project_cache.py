"""The per-process cache of what never changes about projects stays within its bound: a server
that reads many projects over its life keeps those it read last and reads the others again
(each project's instructions may hold 100,000 characters)."""

from __future__ import annotations

from fairlabel.adapters.container import Container
from fairlabel.adapters.db.project_cache import TERMS_OVERHEAD, ProjectCache
from fairlabel.adapters.db.project_repository import ProjectRepository
from fairlabel.domain.accounts import Role
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.services import accounts, projects

INSTRUCTIONS = "Choose the feeling. " * 500  # 10,000 characters


def _projects(container: Container, count: int) -> list[int]:
    now = container.clock()
    requester = accounts.add_user(container.db, email="requester@example.org",
                                  password="correct horse", role=Role.REQUESTER, now=now)
    schema = parse_schema({"type": "single_choice", "choices": ["a", "b"]})
    return [projects.create_project(container.db, requester, ProjectTerms(
        f"P{i}", INSTRUCTIONS, schema, 3, Money(20, "USD"), 600), policy=container.charter,
        now=now).id for i in range(count)]


def test_a_process_keeps_the_projects_it_read_last_and_reads_the_others_again(
        container: Container) -> None:
    ids = _projects(container, 6)
    weight = len(INSTRUCTIONS) + len("P0") + TERMS_OVERHEAD
    cache = ProjectCache(fixed_characters=3 * weight, facts_kept=2)
    with container.engine.connect() as conn:
        repository = ProjectRepository(conn, cache)
        for i, project_id in enumerate(ids):
            found = repository.get(project_id)
            assert found is not None and found.terms.name == f"P{i}"
            assert repository.facts(project_id).redundancy == 3
        assert len(cache) == 3  # of 6 read
        assert cache.fixed(ids[0]) is None and cache.fixed(ids[-1]) is not None
        assert cache.facts(ids[0]) is None and cache.facts(ids[-1]) is not None
        again = repository.fixed(ids[0])  # read again, and kept again
        assert again is not None and again.terms.name == "P0"
        assert again.terms.instructions == INSTRUCTIONS
        assert cache.fixed(ids[0]) is again and len(cache) == 3
        assert repository.fixed(ids[-1] + 1000) is None  # no such project


def test_a_project_heavier_than_the_whole_cache_is_read_each_time_and_never_kept(
        container: Container) -> None:
    [project_id] = _projects(container, 1)
    cache = ProjectCache(fixed_characters=1_000)
    with container.engine.connect() as conn:
        repository = ProjectRepository(conn, cache)
        for _ in range(2):
            found = repository.fixed(project_id)
            assert found is not None and found.terms.name == "P0"
            assert len(cache) == 0

"""The one GraphQL schema, assembled from per-domain parts."""

from __future__ import annotations

import strawberry
from strawberry.extensions import DisableIntrospection, ParserCache
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from schema import enums as _enums  # noqa: F401  (registers the domain enums with strawberry)
from schema.audit import AuditQuery
from schema.calendar import CalendarMutation, CalendarQuery
from schema.catalogue import CatalogueQuery
from schema.descriptions import describe
from schema.dossiers import DossierMutation, DossierQuery
from schema.errors import classify_errors
from schema.execution import PlainFieldExecutor
from schema.feedback import FeedbackMutation, FeedbackQuery
from schema.identity import IdentityMutation
from schema.late import LateMutation, LateQuery
from schema.limits import QueryLimits, limits_extension
from schema.metrics import MetricsQuery
from schema.observe import LagTolerantReads, Observed
from schema.operations import AuditOperations
from schema.publication import PublicationMutation, PublicationQuery
from schema.scalars import SCALARS
from schema.subscriptions import Subscription
from schema.targets import TargetMutation, TargetQuery
from schema.units import UnitMutation, UnitQuery
from schema.validated import ValidatedOnce
from schema.viewer import ViewerQuery

Query = merge_types(
    "Query", (ViewerQuery, CatalogueQuery, DossierQuery, MetricsQuery, FeedbackQuery, AuditQuery,
              CalendarQuery, UnitQuery, LateQuery, TargetQuery, PublicationQuery)
)
Mutation = merge_types("Mutation", (IdentityMutation, DossierMutation, FeedbackMutation,
                                    CalendarMutation, UnitMutation, LateMutation, TargetMutation,
                                    PublicationMutation))


class Schema(strawberry.Schema):
    hide_suggestions = False

    def process_errors(self, errors, execution_context=None) -> None:  # noqa: ANN001
        """Codes from API.md on every error; internal ones masked (schema/errors.py)."""
        classify_errors(errors, execution_context.context if execution_context else None,
                        hide_suggestions=self.hide_suggestions)


def build_schema(limits: QueryLimits | None = None, *, production: bool = False) -> Schema:
    """The schema with its operation-level extensions (no per-field hooks: see PITFALLS).
    Production turns introspection and "did you mean" suggestions off."""
    limits = limits or QueryLimits()
    extensions: list = [Observed, AuditOperations, limits_extension(limits), LagTolerantReads,
                        lambda: ParserCache(maxsize=256), ValidatedOnce]
    if production:
        extensions.append(DisableIntrospection)
    built = Schema(query=Query, mutation=Mutation, subscription=Subscription, extensions=extensions,
                   execution_context_class=PlainFieldExecutor,
                   config=StrawberryConfig(batching_config={"max_operations": limits.batch},
                                           scalar_map=dict(SCALARS),
                                           disable_field_suggestions=production))
    built.hide_suggestions = production
    describe(built._schema)  # the glossary fills in what no field describes itself
    return built


schema = build_schema()

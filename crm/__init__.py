"""ChainCRM: the Flask application factory and its small ``register_*`` helpers."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from config import get_config

ROOT = Path(__file__).resolve().parent.parent


def create_app(config=None) -> Flask:
    """Build the app; ``config`` is a name ("testing") or a config object."""
    app = Flask(__name__, template_folder=str(ROOT / "templates"), instance_path=str(_instance_path()))
    if config is None or isinstance(config, str):
        config = get_config(config)
    app.config.from_object(config)
    register_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_cli(app)
    return app


def _instance_path() -> Path:
    from config import INSTANCE_DIR
    return INSTANCE_DIR


def register_extensions(app: Flask) -> None:
    from crm.core.database import configure_engine
    from crm.core.i18n import select_locale
    from crm.extensions import babel, csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)  # catalogs in crm/translations
    with app.app_context():
        configure_engine(db.engine)

    import crm.settings.core  # noqa: F401 - registers the core settings keys


def register_blueprints(app: Flask) -> None:
    from crm.approvals.views import bp as approvals_bp
    from crm.attachments.views import bp as attachments_bp
    from crm.auth.views import bp as auth_bp
    from crm.companies.views import bp as companies_bp
    from crm.core.errorpages import register_errorhandlers
    from crm.core.headers import register_headers
    from crm.dashboard.views import bp as dashboard_bp
    from crm.exports.views import bp as exports_bp
    from crm.factors.views import bp as factors_bp
    from crm.imports.views import bp as imports_bp
    from crm.industry.views import bp as industry_bp
    import crm.industry.views_admin  # noqa: F401 - the admin routes of the same blueprint
    from crm.jobs.views import bp as jobs_bp
    from crm.kpis.views import bp as kpis_bp
    from crm.leads.board import bp as board_bp
    from crm.leads.mywork import bp as mywork_bp
    from crm.leads.views import bp as leads_bp
    from crm.search.views import bp as search_bp
    from crm.notifications.views import bp as notifications_bp
    from crm.ledgers.views import bp as ledgers_bp
    from crm.problems.views import bp as problems_bp
    from crm.projects.views import bp as projects_bp
    from crm.reporting.views import bp as reporting_bp
    from crm.security.permissions import PUBLIC
    from crm.security.web import register_security
    from crm.settings.views import bp as settings_bp
    from crm.teams.views import bp as teams_bp
    from crm.units.views import bp as units_bp
    from crm.users.views import bp as users_bp
    from crm.visits.views_delegations import bp as delegations_bp
    from crm.visits.views_trips import bp as trips_bp

    for bp in (auth_bp, dashboard_bp, companies_bp, leads_bp, board_bp, mywork_bp, trips_bp, delegations_bp,
               attachments_bp, notifications_bp, projects_bp, imports_bp, exports_bp, jobs_bp, users_bp, units_bp,
               settings_bp, search_bp, industry_bp, problems_bp, reporting_bp, factors_bp, approvals_bp,
               ledgers_bp, teams_bp, kpis_bp):
        app.register_blueprint(bp)
    register_kinds()
    app.view_functions["static"].permission = PUBLIC
    register_security(app)
    register_headers(app)
    register_errorhandlers(app)


def register_kinds() -> None:
    """Features register their import, export and job kinds with the cross-cutting cores."""
    import crm.companies.exporting  # noqa: F401
    import crm.companies.importing  # noqa: F401
    import crm.industry.exporting  # noqa: F401
    import crm.exports.jobs  # noqa: F401
    import crm.factors.exporting  # noqa: F401
    import crm.imports.jobs  # noqa: F401
    import crm.problems.exporting  # noqa: F401
    import crm.projects.exporting  # noqa: F401
    import crm.projects.importing  # noqa: F401
    import crm.reporting.importing  # noqa: F401


def register_template_helpers(app: Flask) -> None:
    from crm.core.templating import register_templating
    register_templating(app)


def register_cli(app: Flask) -> None:
    from crm.cli import register_commands
    register_commands(app)

"""A small world for the people tests: a city, a city department, two counties, their users, a project."""
from __future__ import annotations

import pytest

from crm.projects import services as project_services


@pytest.fixture
def tworld(db, make_unit, make_user):
    city = make_unit("人员测试市", kind="city")
    dept = make_unit("人员测试市发改委", kind="city_dept", parent=city)
    a = make_unit("人员测试甲县", parent=city)
    b = make_unit("人员测试乙县", parent=city)
    users = {"city_leader": make_user(("city_leader",), unit=city), "dept_manager": make_user(("manager",), unit=dept),
             "a_leader": make_user(("county_leader",), unit=a), "a_officer": make_user(("officer",), unit=a),
             "b_officer": make_user(("officer",), unit=b), "b_leader": make_user(("county_leader",), unit=b),
             "admin": make_user(("admin",), unit=dept)}
    project = project_services.create_project(db.session, users["admin"], {
        "name": "人员测试项目", "source": "government", "category": "industry", "resp_unit_id": a.id})
    db.session.commit()
    return {"units": {"city": city, "dept": dept, "a": a, "b": b}, "users": users, "project": project}

"""All models, imported here so Alembic and the app see one metadata."""
from crm.models.approvals import ApprovalItem, ApprovalProfile
from crm.models.base import Base
from crm.models.chains import (Chain, CompanySegment, Segment, SegmentLink, SupplyLink, TargetList,
                               TargetListItem)
from crm.models.closing import PeriodClose, ProjectSnapshot, UnitSnapshot
from crm.models.company import Company, CompanySignal, Contact
from crm.models.factors import FactorAllocation, FactorPool, FactorRequest
from crm.models.files import ImportBatch, ImportPreset, ImportRow
from crm.models.leads import Delegation, Interaction, Lead, LeadConflict, LeadStageChange, LeadUnit, Signing, Trip
from crm.models.notices import Attachment, Notification
from crm.models.monthly import ProjectMonth
from crm.models.org import LoginAttempt, Unit, User, UserRole
from crm.models.projects import (Problem, Project, ProjectLeader, ProjectLibrary, ProjectStageChange,
                                 ProjectYear)
from crm.models.reporting import ReportCorrection, ReportingRound
from crm.models.refdata import ClusterMember, Division, Industry
from crm.models.system import AuditRecord, Job, Setting
from crm.models.teams import ProjectDept, ProjectTeamMember

__all__ = [
    "ApprovalItem", "ApprovalProfile",
    "Attachment", "Notification",
    "Base", "Chain", "CompanySegment", "Segment", "SegmentLink", "SupplyLink", "TargetList", "TargetListItem",
    "Company", "CompanySignal", "Contact", "FactorAllocation", "FactorPool", "FactorRequest",
    "Delegation", "Interaction", "Lead", "LeadConflict", "LeadStageChange", "LeadUnit", "Signing", "Trip",
    "LoginAttempt", "Unit", "User", "UserRole", "Problem", "Project", "ProjectLeader", "ProjectLibrary",
    "ProjectDept", "ProjectMonth", "ProjectStageChange", "ProjectTeamMember", "ProjectYear", "ClusterMember",
    "Division", "Industry", "AuditRecord",
    "Job", "Setting", "ImportBatch", "ImportPreset", "ImportRow", "ReportCorrection", "ReportingRound",
    "PeriodClose", "ProjectSnapshot", "UnitSnapshot",
]

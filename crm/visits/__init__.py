"""Trips (外出招商) and delegations (来访接待): contact-log records of their own.

Each company visited on a trip, and each delegation received, is an interaction logged through
the leads contact-log service, so a lead named on it gets its last contact, next follow-up and
保护期 updated like any contact.
"""

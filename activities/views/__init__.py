"""The activities pages, one module per part of the programme: activities and their photos, the care
room (留守儿童之家), aid (资助), health checks (体检) and exams (学业). activities/urls.py maps them."""

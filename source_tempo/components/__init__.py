"""The Python that source_tempo/manifest.yaml names, one module per concern; everything else is in the manifest.

Each module's docstring says why YAML cannot do what it does:

* `paging`: Tempo's list pages: the results extractor, offset paging until `metadata.next` is absent, keyset
  paging of worklogs by updatedAt (and the filter that drops the anchor it repeats), holidays year by year.
* `cursors`: the worklogs cursor: checkpoints within a partition, and a first sync split into startDate windows.
* `cursor_ceiling`: no saved cursor later than the sync's start (a record dated in the future).
* `partitions`: a child stream's partitions once each (user-schedules: a user in several teams).
* `tombstones`: deleted worklogs sent in the worklogs stream, read from the audit log.
* `state_migrations`: the upstream connector's worklogs state; a deletions state older than Tempo's retention.
* `transforms`: updatedAt in UTC; an audit-log event as a worklog-deletions record.
* `errors`: the error handler: network errors and broken bodies named and retried (or not), Retry-After.
* `auth`: the API token and OAuth 2.0 authenticators, the rotated refresh token saved.
* `config`: the config tidied and validated, each problem naming its field; secrets registered for masking.
* `rows`: streams of rows made from another stream's records, on its pages: plan-days, worklog-attribute-values.
* `work_attributes`: the worklogs' `attribute_<key>` columns: added at discover, filled in a read (source.py).
* `jira`: the optional Jira enrichment: the ids the sync's Tempo records reference, fetched from Jira in bulk
  through a bounded cache for the jira-issues and jira-users streams and the enriched worklogs.

What these need of the CDK beyond its public API goes through source_tempo/cdk_internals.py.
"""

"""The ground floor: the study database, its tables, migrations, audit trail and visibility rule.

Every other part of coder reads and writes a study through these modules; this
package imports nothing of coder's but `coder.errors`.
"""

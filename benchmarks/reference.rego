# The four reference rules (R1-R4 of reference.rules) in Rego, for the OPA peer of the benchmark.
# Comprehensions that select claims by campaign use OPA's comprehension indexing.

package reference

import rego.v1

plan := data.plan

caps := {c.id: c | some c in plan.business.capabilities}

campaigns := {m.id: m | some m in plan.marketing.campaigns}

products := {p.id: p | some p in plan.business.products}

objectives := {o.id: o | some o in plan.objectives}

segments := {s.id: s | some s in plan.business.segments}

rank := {"proposed": 1, "funded": 2, "built": 3, "stress_tested": 4}

# R1: a claim references a capability below funded, or one that does not exist.
violations contains ["R1", claim.id, k] if {
	some claim in plan.marketing.claims
	some k in claim.capability_ids
	not caps[k]
}

violations contains ["R1", claim.id, k] if {
	some claim in plan.marketing.claims
	some k in claim.capability_ids
	rank[caps[k].status] < rank.funded
}

# R2: launch before a capability is ready; demand over the summed capacity.
violations contains ["R2-ready", claim.id, k] if {
	some claim in plan.marketing.claims
	launch := campaigns[claim.campaign_id].launch_on
	some k in claim.capability_ids
	cap := caps[k]
	not ready_by(cap, launch)
}

ready_by(cap, launch) if cap.ready_on <= launch

violations contains ["R2-capacity", m.id, ""] if {
	some m in plan.marketing.campaigns
	demand := m.projected_demand
	id := m.id
	keys := {k | plan.marketing.claims[i].campaign_id == id; some k in plan.marketing.claims[i].capability_ids; caps[k]}
	total := sum([object.get(caps[k], "capacity", 0) | some k in keys])
	demand > total
}

# R3: an acquisition campaign for a product with LTV/CAC below 3 or no unit margin.
violations contains ["R3", m.id, ""] if {
	some m in plan.marketing.campaigns
	m.kind == "acquisition"
	poor_economics(products[m.product_id])
}

poor_economics(p) if p.ltv < p.cac * 3

poor_economics(p) if p.price - p.unit_cost <= 0

# R4: no objective, a missing objective, a segment outside the strategy.
violations contains ["R4-objective", m.id, ""] if {
	some m in plan.marketing.campaigns
	not m.objective_id
}

violations contains ["R4-objective", m.id, m.objective_id] if {
	some m in plan.marketing.campaigns
	m.objective_id
	not objectives[m.objective_id]
}

violations contains ["R4-segment", m.id, s] if {
	some m in plan.marketing.campaigns
	some s in m.segment_ids
	segments[s].chosen == false
}

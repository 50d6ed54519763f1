package enrich

// RefEnrich is the row-by-row enrichment the folded one must equal.
var RefEnrich = refEnrich

package portal

// ParseAmount exposes parseAmount to the tests of package portal_test.
var ParseAmount = parseAmount

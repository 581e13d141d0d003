package retention

// LatestStart exposes latestStart to the tests.
var LatestStart = latestStart

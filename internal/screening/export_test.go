package screening

// LiveStatusSQL exposes the live order condition to the tests.
const LiveStatusSQL = liveStatus

package web

// KeysIn exposes keysIn to the external tests.
var KeysIn = keysIn

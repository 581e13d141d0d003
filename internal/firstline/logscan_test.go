package firstline_test

import (
	"testing"

	"github.com/tillit/tillit/internal/logscan"
)

func TestMain(m *testing.M) { logscan.Main(m) }

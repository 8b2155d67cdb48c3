package provider_test

import (
	"testing"

	"github.com/optout-sync/terraform-provider-outreach/internal/acctest"
)

func TestMain(m *testing.M) { acctest.Main(m) }

// badgateway::testing in one include: FakeUpstreams, faults by name, ProxyUnderTest, send(),
// and the waits.
#pragma once

#include "testing/fake_upstreams.hpp"
#include "testing/faults.hpp"
#include "testing/proxy_under_test.hpp"
#include "testing/requests.hpp"
#include "testing/waits.hpp"

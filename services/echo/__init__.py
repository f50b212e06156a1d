"""A bare grpc.aio echo: the baseline the gateway benchmarks compare against."""

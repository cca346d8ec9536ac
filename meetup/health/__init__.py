"""Health checks for the process manager and the load balancer."""

"""The toy SDE's one-step SMDP loss in eager PyTorch, to separate the optimisation from our code.

Usage: python3 toy_times_experiment.py perbatch|perfield UPDATES [INPUT_GAIN [ROWS]]
  perbatch: every update trains ROWS rows (default 4096) at one time index;
  perfield: every row at its own time index.
Time indices are drawn half log-uniformly, half uniformly in 1..M.
Same network (MLP 30-30-25-20-10, ELU, inputs (gain x, log(t + 1e-5)), output scaled by
2 / (g sqrt d) / sqrt(t/T + 1e-3)), 2500 stored trajectories, Adam 1e-3 then 1e-4 (half each).
Prints the learned g^2 ds/dx at the noise-free path and Q of the ode/sde samplers from
linspace(-0.1, 0.1, 1000) with 500 steps of 0.02 (docs/HISTORY.md, "Toy SDE: one time per batch").
Needs python3-torch; not used by the build or the tests.
"""
import torch, numpy as np, sys, time
torch.manual_seed(0); np.random.seed(0)
torch.set_num_threads(1)
lam, g, T, M = 7.0, 0.03, 10.0, 499
d = T / M
mode = sys.argv[1] if len(sys.argv) > 1 else "perbatch"
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
# simulate training trajectories
n = 2500
x0 = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
traj = np.zeros((n, M + 1)); traj[:, 0] = x0
for m in range(M):
    x = traj[:, m]
    traj[:, m + 1] = x - lam * d * np.abs(x) * x + g * np.sqrt(d) * np.random.randn(n)
traj = torch.tensor(traj, dtype=torch.float32)
tgrid = torch.arange(M + 1, dtype=torch.float32) * d
net = torch.nn.Sequential(torch.nn.Linear(2, 30), torch.nn.ELU(), torch.nn.Linear(30, 30), torch.nn.ELU(),
    torch.nn.Linear(30, 25), torch.nn.ELU(), torch.nn.Linear(25, 20), torch.nn.ELU(), torch.nn.Linear(20, 10), torch.nn.ELU(), torch.nn.Linear(10, 1))
outscale = 2 / (g * np.sqrt(d))
gain = float(sys.argv[3]) if len(sys.argv) > 3 else 30.0
def score_g2half(x, t):  # (1/2) g^2 net * scale
    inp = torch.stack([gain * x, torch.log(t + 1e-5)], -1)
    return 0.5 * g * g * outscale * (t / T + 1e-3) ** -0.5 * net(inp).squeeze(-1)
def step(x, t):
    return x + lam * d * x.abs() * x + d * score_g2half(x, t)
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
t0 = time.time()
for it in range(steps):
    if it == steps // 2:
        for pg in opt.param_groups: pg['lr'] = 1e-4
    B = int(sys.argv[4]) if len(sys.argv) > 4 else 4096
    idx = torch.randint(0, n, (B,))
    u = torch.rand(B)
    ml = torch.floor(500 ** u).long(); mu = 1 + (torch.rand(B) * M).long()
    ms = torch.where(torch.rand(B) < 0.5, ml, mu).clamp(1, M)
    if mode == "perbatch":  # the first row's time for every row
        ms = ms[:1].expand(B)
    x = traj[idx, ms]; tgt = traj[idx, ms - 1]
    pred = step(x, tgrid[ms])
    loss = ((pred - tgt) ** 2).mean()
    opt.zero_grad(); loss.backward(); opt.step()
# slope report
with torch.no_grad():
    for t in [0.02, 0.04, 0.1, 0.2, 0.5, 1, 2, 5, 9]:
        mu = 1 / (1 + lam * t); h = 1e-3
        tt = torch.tensor([t, t])
        v = 2 * score_g2half(torch.tensor([mu - h, mu + h]), tt)  # g^2 s with s = net/2 ... g^2 * 0.5 net
        print(f"t={t:5.2f} slope(g^2 s)={(v[1]-v[0]).item()/(2*h):8.1f}")
    y = torch.linspace(-0.1, 0.1, 1000)
    gen = torch.Generator().manual_seed(1)
    for name, noisy in [("ode", False), ("sde", True)]:
        x = y.clone(); dd = 0.02
        for k in range(500, 0, -1):
            t = torch.full((1000,), k * dd)
            x = x + lam * dd * x.abs() * x + dd * score_g2half(x, t)
            if noisy and k > 1:
                x = x + g * np.sqrt(dd) * torch.randn(1000, generator=gen)
        x = x.numpy()
        for tol in (0.01, 0.1):
            rp = np.mean(np.abs(x - 1) <= tol); rm = np.mean(np.abs(x + 1) <= tol)
            print(name, tol, "Q", 2 * min(rp, rm), rm, rp, "nonfinite", np.sum(~np.isfinite(x)))
print("time", time.time() - t0)

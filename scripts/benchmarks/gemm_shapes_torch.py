"""GFLOP/s of torch.mm (PyTorch's MKL) at the shapes of gemm_shapes.c, 2 threads, median of 7 runs
after a warm-up. Reference measurement only: /work/torch-venv/bin/python scripts/benchmarks/gemm_shapes_torch.py"""
import torch, time
torch.set_num_threads(2)
shapes=[(50176,384,96,0,0),(50176,96,384,0,0),(50176,96,384,0,1),(50176,384,96,0,1),(96,384,50176,1,0),(384,96,50176,1,0),
 (12544,768,192,0,0),(12544,192,768,0,1),(192,768,12544,1,0),
 (3136,1536,384,0,0),(3136,384,1536,0,0),(3136,384,1536,0,1),(3136,1536,384,0,1),(384,1536,3136,1,0),(1536,384,3136,1,0),
 (784,3072,768,0,0),(784,768,3072,0,1),(768,3072,784,1,0)]
for m,n,k,ta,tb in shapes:
    a=torch.rand(k,m).t() if ta else torch.rand(m,k)
    b=torch.rand(n,k).t() if tb else torch.rand(k,n)
    ts=[]
    for r in range(8):
        t0=time.perf_counter(); c=torch.mm(a,b); ts.append(time.perf_counter()-t0)
    ts=sorted(ts[1:]); print(f"{m:6d} x {n:5d} x {k:6d} ta{ta} tb{tb} mkl {2*m*n*k/ts[3]/1e9:6.1f} GF/s")
